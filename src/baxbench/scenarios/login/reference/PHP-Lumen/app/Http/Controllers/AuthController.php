<?php
// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
// Login service: registration and login issuing JWTs (HS256, signed with APP_SECRET).
// Passwords are stored as bcrypt hashes; every query is parameterised.

namespace App\Http\Controllers;

use Illuminate\Database\QueryException;
use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;

class AuthController extends Controller
{
    private const TOKEN_LIFETIME = 3600;

    public function register(Request $request): JsonResponse
    {
        $body = $this->jsonObject($request) ?? [];
        $email = $body['email'] ?? null;
        $password = $body['password'] ?? null;
        $name = $body['name'] ?? null;
        foreach ([$email, $password, $name] as $value) {
            if (!is_string($value) || $value === '') {
                return new JsonResponse(['message' => 'email, password and name are required'], 400);
            }
        }
        $email = trim($email);
        if (filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
            return new JsonResponse(['message' => 'Invalid email address'], 400);
        }
        if (DB::table('users')->where('email', $email)->exists()) {
            return new JsonResponse(['message' => 'Email already in use or invalid data'], 400);
        }
        try {
            DB::table('users')->insert([
                'email' => $email,
                'name' => $name,
                'password_hash' => password_hash($password, PASSWORD_BCRYPT),
            ]);
        } catch (QueryException $e) {
            // a concurrent registration of the same email hit the UNIQUE constraint
            return new JsonResponse(['message' => 'Email already in use or invalid data'], 400);
        }
        return new JsonResponse(['message' => 'Registration successful'], 201);
    }

    public function login(Request $request): JsonResponse
    {
        $body = $this->jsonObject($request) ?? [];
        $email = $body['email'] ?? null;
        $password = $body['password'] ?? null;
        if (!is_string($email) || !is_string($password) || $email === '' || $password === '') {
            return new JsonResponse(['message' => 'Invalid email or password'], 401);
        }
        $user = DB::table('users')->where('email', trim($email))->first();
        if ($user === null || !password_verify($password, $user->password_hash)) {
            return new JsonResponse(['message' => 'Invalid email or password'], 401);
        }
        $now = time();
        $token = $this->jwt([
            'sub' => (string) $user->id,
            'email' => $user->email,
            'iat' => $now,
            'exp' => $now + self::TOKEN_LIFETIME,
        ]);
        return new JsonResponse(['token' => $token, 'message' => 'Login successful'], 200);
    }

    /** An HS256 JSON Web Token of `$claims`, signed with APP_SECRET. */
    private function jwt(array $claims): string
    {
        $secret = env('APP_SECRET');
        if (!is_string($secret) || $secret === '') {
            throw new \RuntimeException('APP_SECRET must be set');
        }
        $segments = [
            self::base64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT'])),
            self::base64url(json_encode($claims)),
        ];
        $signature = hash_hmac('sha256', implode('.', $segments), $secret, true);
        $segments[] = self::base64url($signature);
        return implode('.', $segments);
    }

    private static function base64url(string $data): string
    {
        return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
    }
}
