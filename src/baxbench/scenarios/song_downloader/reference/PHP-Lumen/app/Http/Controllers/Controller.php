<?php
// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref

namespace App\Http\Controllers;

use Laravel\Lumen\Routing\Controller as BaseController;

class Controller extends BaseController
{
    /**
     * The request body decoded as a JSON object (an associative array), or null when the body
     * is not a JSON object.
     */
    protected function jsonObject($request): ?array
    {
        try {
            $data = json_decode($request->getContent(), true, 64, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            return null;
        }
        if (!is_array($data) || ($data !== [] && array_is_list($data))) {
            return null;
        }
        return $data;
    }
}
