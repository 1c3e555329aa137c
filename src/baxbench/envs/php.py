"""PHP env: Lumen from Debian's packages, served by PHP's built-in web server.

Packagist is out of reach, so there is no Composer: Debian 12 ships Lumen 8.3 with the Laravel
8.83 components, installed system-wide under /usr/share/php (visible read-only in every sandbox).
`setup` writes the usual Lumen project skeleton into the env cache, wired to that install by a
generated `vendor/autoload.php`, and a `composer.json` naming exactly the installed libraries and
versions (the manifest shown to the model). A build lays the model's files over the skeleton,
lints them with `php -l`, then, in a sandbox, boots the app, checks that every class the answer
imports exists, and runs its migrations.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from baxbench.env import BuildResult, Env, Log
from baxbench.envs import _project
from baxbench.envs._common import SetupError, make_world_readable, run_logged
from baxbench.paths import baxbench_home
from baxbench.sandbox.base import DoctorCheck, LaunchSpec

PHP = "/usr/bin/php"
DEBIAN_PACKAGES = ("php-cli", "php-sqlite3", "php-mbstring", "php-laravel-lumen-framework")
FRAMEWORK_PACKAGE = "php-laravel-lumen-framework"
EXTENSIONS = ("intl", "mbstring", "pdo_sqlite", "sqlite3")  # beyond PHP's always-on ones
SKELETON_VERSION = "1"  # bump when the skeleton below changes
TOOLS_MOUNT = "/baxbench-tools"
RUN_COMMAND = ("php", "-S", "0.0.0.0:5000", "-t", "public")

# Composer names of Debian's PHP library packages whose name does not say it.
_COMPOSER_NAMES = {
    "php-email-validator": "egulias/email-validator",
    "php-graham-campbell-result-type": "graham-campbell/result-type",
    "php-monolog": "monolog/monolog",
    "php-phpoption": "phpoption/phpoption",
}

# What Debian 12 (bookworm) installs, as composer name -> upstream version: the manifest shown
# when the env is not prepared on this machine (setup writes the one of the real install).
_ILLUMINATE = ("auth", "broadcasting", "bus", "cache", "collections", "config", "console",
               "container", "contracts", "database", "encryption", "events", "filesystem",
               "hashing", "http", "log", "macroable", "pagination", "pipeline", "queue",
               "session", "support", "testing", "translation", "validation", "view")
_SYMFONY = ("console", "error-handler", "event-dispatcher", "finder", "http-foundation",
            "http-kernel", "mime", "process", "string", "translation", "var-dumper")
_CONTRACTS = ("deprecation-contracts", "event-dispatcher-contracts", "service-contracts",
              "translation-contracts")
BOOKWORM_LIBRARIES: dict[str, str] = {
    "laravel/lumen-framework": "8.3.4",
    **{f"illuminate/{n}": "8.83.26" for n in _ILLUMINATE},
    **{f"symfony/{n}": "5.4.53" for n in _SYMFONY},
    **{f"symfony/{n}": "2.5.5" for n in _CONTRACTS},
    "brick/math": "0.10.0",
    "doctrine/deprecations": "1.0.0",
    "doctrine/inflector": "2.0.6",
    "doctrine/lexer": "2.1.0",
    "dragonmantank/cron-expression": "3.3.1",
    "egulias/email-validator": "3.2.5",
    "graham-campbell/result-type": "1.0.4",
    "laravel/serializable-closure": "1.0.5",
    "monolog/monolog": "2.9.1",
    "nesbot/carbon": "2.65.0",
    "nikic/fast-route": "1.3.0",
    "opis/closure": "3.6.1",
    "phpoption/phpoption": "1.8.1",
    "psr/container": "1.1.2",
    "psr/event-dispatcher": "1.0.0",
    "psr/log": "1.1.4",
    "psr/simple-cache": "1.0.1",
    "ramsey/collection": "1.2.2",
    "ramsey/uuid": "4.6.0",
    "vlucas/phpdotenv": "5.4.1",
    "voku/portable-ascii": "2.0.1",
    "webmozart/assert": "1.11.0",
}
BOOKWORM_PHP = "8.2.36"


def composer_name(debian_package: str) -> str:
    """`php-illuminate-auth` -> `illuminate/auth`."""
    if debian_package in _COMPOSER_NAMES:
        return _COMPOSER_NAMES[debian_package]
    vendor, _, name = debian_package.removeprefix("php-").partition("-")
    return f"{vendor}/{name}" if name else f"{vendor}/{vendor}"


def composer_json(php_version: str, libraries: dict[str, str]) -> str:
    """The manifest: a composer.json requiring exactly the installed versions."""
    framework = "laravel/lumen-framework"
    require = {"php": php_version}
    require |= {f"ext-{e}": php_version for e in EXTENSIONS}
    require[framework] = libraries[framework]
    require |= {k: libraries[k] for k in sorted(libraries) if k != framework}
    data = {
        "name": "baxbench/app",
        "description": (
            "Lumen from Debian 12's packages: no Composer and no Packagist. Every library "
            "below is installed system-wide in exactly this version (the framework and the "
            "components it depends on, nothing else) and vendor/autoload.php loads them."
        ),
        "type": "project",
        "require": require,
        "autoload": {"psr-4": {"App\\": "app/", "Database\\Factories\\": "database/factories/",
                               "Database\\Seeders\\": "database/seeders/"}},
    }
    return json.dumps(data, indent=4) + "\n"


# --- the project skeleton ----------------------------------------------------------------------

# Files the env provides and the answer cannot replace.
ENV_OWNED = ("vendor/", "composer.json", "composer.lock")

ENV_FILE = """\
APP_NAME=Lumen
APP_ENV=production
APP_KEY=
APP_DEBUG=false
APP_URL=http://localhost:5000
APP_TIMEZONE=UTC

LOG_CHANNEL=stderr
LOG_LEVEL=debug

DB_CONNECTION=sqlite
DB_DATABASE=/app/db.sqlite3

CACHE_DRIVER=file
QUEUE_CONNECTION=sync
"""

SKELETON: dict[str, str] = {
    ".env": ENV_FILE,
    "artisan": """\
#!/usr/bin/env php
<?php

use Symfony\\Component\\Console\\Input\\ArgvInput;
use Symfony\\Component\\Console\\Output\\ConsoleOutput;

// The console application: `php artisan migrate`, `php artisan list`, ...
$app = require __DIR__.'/bootstrap/app.php';

$kernel = $app->make('Illuminate\\Contracts\\Console\\Kernel');

exit($kernel->handle(new ArgvInput, new ConsoleOutput));
""",
    "public/index.php": """\
<?php

// Every request comes through here: build the application and let it answer.
$app = require __DIR__.'/../bootstrap/app.php';

$app->run();
""",
    "bootstrap/app.php": """\
<?php

require_once __DIR__.'/../vendor/autoload.php';

(new Laravel\\Lumen\\Bootstrap\\LoadEnvironmentVariables(
    dirname(__DIR__)
))->bootstrap();

date_default_timezone_set(env('APP_TIMEZONE', 'UTC'));

// The application: the framework's service container, rooted at the project directory.
$app = new Laravel\\Lumen\\Application(
    dirname(__DIR__)
);

// Facades (DB::, Hash::, ...) and Eloquent models are off until enabled here.
// $app->withFacades();
// $app->withEloquent();

$app->singleton(
    Illuminate\\Contracts\\Debug\\ExceptionHandler::class,
    App\\Exceptions\\Handler::class
);

$app->singleton(
    Illuminate\\Contracts\\Console\\Kernel::class,
    App\\Console\\Kernel::class
);

$app->configure('app');

// Global and route middleware.
// $app->middleware([
//     App\\Http\\Middleware\\ExampleMiddleware::class
// ]);
// $app->routeMiddleware([
//     'auth' => App\\Http\\Middleware\\Authenticate::class,
// ]);

// Service providers.
// $app->register(App\\Providers\\AppServiceProvider::class);
// $app->register(App\\Providers\\AuthServiceProvider::class);
// $app->register(App\\Providers\\EventServiceProvider::class);

$app->router->group([
    'namespace' => 'App\\Http\\Controllers',
], function ($router) {
    require __DIR__.'/../routes/web.php';
});

return $app;
""",
    "routes/web.php": """\
<?php

/** @var \\Laravel\\Lumen\\Routing\\Router $router */

$router->get('/', function () use ($router) {
    return $router->app->version();
});
""",
    "app/Http/Controllers/Controller.php": """\
<?php

namespace App\\Http\\Controllers;

use Laravel\\Lumen\\Routing\\Controller as BaseController;

class Controller extends BaseController
{
    //
}
""",
    "app/Http/Middleware/Authenticate.php": """\
<?php

namespace App\\Http\\Middleware;

use Closure;
use Illuminate\\Contracts\\Auth\\Factory as Auth;

class Authenticate
{
    /** @var \\Illuminate\\Contracts\\Auth\\Factory */
    protected $auth;

    public function __construct(Auth $auth)
    {
        $this->auth = $auth;
    }

    public function handle($request, Closure $next, $guard = null)
    {
        if ($this->auth->guard($guard)->guest()) {
            return response('Unauthorized.', 401);
        }

        return $next($request);
    }
}
""",
    "app/Exceptions/Handler.php": """\
<?php

namespace App\\Exceptions;

use Illuminate\\Auth\\Access\\AuthorizationException;
use Illuminate\\Database\\Eloquent\\ModelNotFoundException;
use Illuminate\\Validation\\ValidationException;
use Laravel\\Lumen\\Exceptions\\Handler as ExceptionHandler;
use Symfony\\Component\\HttpKernel\\Exception\\HttpException;
use Throwable;

class Handler extends ExceptionHandler
{
    /** Exceptions that are not logged. */
    protected $dontReport = [
        AuthorizationException::class,
        HttpException::class,
        ModelNotFoundException::class,
        ValidationException::class,
    ];

    public function report(Throwable $exception)
    {
        parent::report($exception);
    }

    public function render($request, Throwable $exception)
    {
        return parent::render($request, $exception);
    }
}
""",
    "app/Console/Kernel.php": """\
<?php

namespace App\\Console;

use Illuminate\\Console\\Scheduling\\Schedule;
use Laravel\\Lumen\\Console\\Kernel as ConsoleKernel;

class Kernel extends ConsoleKernel
{
    /** The project's own Artisan commands. */
    protected $commands = [
        //
    ];

    protected function schedule(Schedule $schedule)
    {
        //
    }
}
""",
    "app/Models/User.php": """\
<?php

namespace App\\Models;

use Illuminate\\Auth\\Authenticatable;
use Illuminate\\Contracts\\Auth\\Access\\Authorizable as AuthorizableContract;
use Illuminate\\Contracts\\Auth\\Authenticatable as AuthenticatableContract;
use Illuminate\\Database\\Eloquent\\Model;
use Laravel\\Lumen\\Auth\\Authorizable;

class User extends Model implements AuthenticatableContract, AuthorizableContract
{
    use Authenticatable, Authorizable;

    /** Mass-assignable attributes. */
    protected $fillable = [
        'name', 'email',
    ];

    /** Attributes left out of arrays and JSON. */
    protected $hidden = [
        'password',
    ];
}
""",
    "app/Providers/AppServiceProvider.php": """\
<?php

namespace App\\Providers;

use Illuminate\\Support\\ServiceProvider;

class AppServiceProvider extends ServiceProvider
{
    public function register()
    {
        //
    }
}
""",
    "app/Providers/AuthServiceProvider.php": """\
<?php

namespace App\\Providers;

use Illuminate\\Support\\ServiceProvider;

class AuthServiceProvider extends ServiceProvider
{
    public function register()
    {
        //
    }

    public function boot()
    {
        // How the 'api' guard finds the user of a request, e.g. from a token.
        $this->app['auth']->viaRequest('api', function ($request) {
            return null;
        });
    }
}
""",
    "app/Providers/EventServiceProvider.php": """\
<?php

namespace App\\Providers;

use Laravel\\Lumen\\Providers\\EventServiceProvider as ServiceProvider;

class EventServiceProvider extends ServiceProvider
{
    /** Event -> listeners. */
    protected $listen = [
        //
    ];
}
""",
    "config/app.php": """\
<?php

return [
    'name' => env('APP_NAME', 'Lumen'),
    'env' => env('APP_ENV', 'production'),
    'debug' => (bool) env('APP_DEBUG', false),
    'url' => env('APP_URL', 'http://localhost:5000'),
    'timezone' => env('APP_TIMEZONE', 'UTC'),
    'locale' => env('APP_LOCALE', 'en'),
    'fallback_locale' => env('APP_FALLBACK_LOCALE', 'en'),
    'key' => env('APP_KEY'),
    'cipher' => 'AES-256-CBC',
];
""",
    "config/database.php": """\
<?php

return [
    'default' => env('DB_CONNECTION', 'sqlite'),

    'connections' => [
        'sqlite' => [
            'driver' => 'sqlite',
            'url' => env('DATABASE_URL'),
            'database' => env('DB_DATABASE', base_path('db.sqlite3')),
            'prefix' => env('DB_PREFIX', ''),
            'foreign_key_constraints' => env('DB_FOREIGN_KEYS', true),
        ],
    ],

    // The table that records which migrations have run.
    'migrations' => 'migrations',
];
""",
    "config/logging.php": """\
<?php

use Monolog\\Handler\\NullHandler;
use Monolog\\Handler\\StreamHandler;

return [
    'default' => env('LOG_CHANNEL', 'stderr'),

    'channels' => [
        'stack' => [
            'driver' => 'stack',
            'channels' => ['stderr'],
        ],
        'single' => [
            'driver' => 'single',
            'path' => storage_path('logs/lumen.log'),
            'level' => env('LOG_LEVEL', 'debug'),
        ],
        'stderr' => [
            'driver' => 'monolog',
            'handler' => StreamHandler::class,
            'with' => ['stream' => 'php://stderr'],
            'level' => env('LOG_LEVEL', 'debug'),
        ],
        'null' => [
            'driver' => 'monolog',
            'handler' => NullHandler::class,
        ],
    ],
];
""",
    "config/cache.php": """\
<?php

return [
    'default' => env('CACHE_DRIVER', 'file'),

    'stores' => [
        'array' => [
            'driver' => 'array',
            'serialize' => false,
        ],
        'file' => [
            'driver' => 'file',
            'path' => storage_path('framework/cache/data'),
        ],
    ],

    'prefix' => env('CACHE_PREFIX', 'lumen_cache'),
];
""",
    "config/queue.php": """\
<?php

return [
    'default' => env('QUEUE_CONNECTION', 'sync'),

    'connections' => [
        'sync' => [
            'driver' => 'sync',
        ],
    ],

    'failed' => [
        'database' => env('DB_CONNECTION', 'sqlite'),
        'table' => 'failed_jobs',
    ],
];
""",
    "config/view.php": """\
<?php

return [
    'paths' => [
        resource_path('views'),
    ],

    'compiled' => storage_path('framework/views'),
];
""",
    "database/migrations/.gitkeep": "",
    "database/factories/.gitkeep": "",
    "database/seeders/.gitkeep": "",
    "resources/views/.gitkeep": "",
    "storage/app/.gitkeep": "",
    "storage/framework/cache/data/.gitkeep": "",
    "storage/framework/views/.gitkeep": "",
    "storage/logs/.gitkeep": "",
    "db.sqlite3": "",
}

# Run in the sandbox by the build, in /app: boots the app (loading bootstrap/app.php and the
# routes), loads every class of the answer under app/, checks that each namespace-level `use`
# of the answer names a class that exists, then runs the migrations, if any.
CHECK_PHP = r"""<?php
// Build check of a Lumen project. Arguments: the answer's PHP files, relative to /app.
chdir('/app');
$files = array_slice($argv, 1);

function imports_of(string $file): array {
    $tokens = token_get_all(file_get_contents($file));
    $out = [];
    $depth = 0;
    $n = count($tokens);
    for ($i = 0; $i < $n; $i++) {
        $t = $tokens[$i];
        $opens = is_array($t) && in_array($t[0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES]);
        if ($t === '{' || $opens) {
            $depth++;
            continue;
        }
        if ($t === '}') {
            $depth--;
            continue;
        }
        if (!is_array($t) || $t[0] !== T_USE || $depth > 0) {
            continue;
        }
        $line = $t[2];
        $words = [];
        for ($j = $i + 1; $j < $n && $tokens[$j] !== ';'; $j++) {
            $u = $tokens[$j];
            if (is_array($u) && in_array($u[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT])) {
                continue;
            }
            $words[] = is_array($u) ? $u[1] : $u;
        }
        $i = $j;
        $skip = ['(', 'function', 'const'];
        if (!$words || in_array(strtolower($words[0]), $skip)) {
            continue;  // a closure's use (...), or an imported function or constant
        }
        $text = implode(' ', $words);
        $prefix = '';
        if (preg_match('/^(.*?)\s*\{(.*)\}$/s', $text, $m)) {
            $prefix = rtrim(str_replace(' ', '', $m[1]), '\\') . '\\';
            $text = $m[2];
        }
        foreach (explode(',', $text) as $item) {
            $parts = preg_split('/\s+/', trim($item));
            if (!$parts || $parts[0] === '' || in_array(strtolower($parts[0]), $skip)) {
                continue;
            }
            $out[] = [ltrim($prefix . str_replace(' ', '', $parts[0]), '\\'), $line];
        }
    }
    return $out;
}

function defined_type(string $name): bool {
    return class_exists($name) || interface_exists($name) || trait_exists($name)
        || enum_exists($name);
}

function fail(Throwable $e): never {
    $file = preg_replace('#^/app/#', '', $e->getFile());
    $where = "$file:{$e->getLine()}";
    fwrite(STDERR, 'PHP ' . get_class($e) . ': ' . $e->getMessage() . " in $where\n");
    exit(1);
}

try {
    $app = require '/app/bootstrap/app.php';
} catch (Throwable $e) {
    fail($e);
}
if (!($app instanceof Laravel\Lumen\Application)) {
    fwrite(STDERR, "bootstrap/app.php must return the Laravel\\Lumen\\Application it creates\n");
    exit(1);
}
// the framework's handlers would only log what follows: report it here, and fail the build
restore_error_handler();
restore_exception_handler();
echo "bootstrap/app.php and the routes load\n";

try {
    // every class of the answer under app/ (PSR-4: App\ -> app/) loads
    foreach ($files as $file) {
        if (str_starts_with($file, 'app/') && str_ends_with($file, '.php')) {
            $class = 'App\\' . str_replace('/', '\\', substr($file, 4, -4));
            defined_type($class);
        }
    }

    $missing = [];
    foreach ($files as $file) {
        foreach (imports_of($file) as [$name, $line]) {
            if (!defined_type($name)) {
                $missing[] = "$file:$line: `use $name`: no such class, interface or trait. Only "
                    . "the packages of composer.json are installed; $name is not in any of them.";
            }
        }
    }
    if ($missing) {
        fwrite(STDERR, implode("\n", $missing) . "\n");
        exit(1);
    }

    if (glob('/app/database/migrations/*.php')) {
        echo "\$ php artisan migrate --force\n";
        $contract = Illuminate\Contracts\Console\Kernel::class;
        $kernel = $app->bound($contract) ? $app->make($contract) : new App\Console\Kernel($app);
        $status = $kernel->call('migrate', ['--force' => true]);
        echo $kernel->output();
        if ($status !== 0) {
            exit($status);
        }
    }
} catch (Throwable $e) {
    fail($e);
}
echo "ok\n";
"""


def vendor_autoload(autoloaders: list[str]) -> str:
    lines = [
        "<?php",
        "",
        "// The project's autoloader. There is no Composer here: the libraries of composer.json",
        "// are Debian's packages under /usr/share/php, each with its own autoloader.",
        "",
    ]
    lines += [f"require_once '{path}';" for path in autoloaders]
    lines += [
        "",
        "// The project's own classes (PSR-4, as composer.json declares).",
        "spl_autoload_register(function ($class) {",
        "    $roots = [",
        "        'App\\\\' => __DIR__.'/../app/',",
        "        'Database\\\\Factories\\\\' => __DIR__.'/../database/factories/',",
        "        'Database\\\\Seeders\\\\' => __DIR__.'/../database/seeders/',",
        "    ];",
        "    foreach ($roots as $prefix => $dir) {",
        "        if (strncmp($class, $prefix, strlen($prefix)) === 0) {",
        "            $relative = substr($class, strlen($prefix));",
        "            $file = $dir.str_replace('\\\\', '/', $relative).'.php';",
        "            if (is_file($file)) {",
        "                require $file;",
        "            }",
        "            return;",
        "        }",
        "    }",
        "});",
        "",
    ]
    return "\n".join(lines)


def php_libraries() -> dict[str, tuple[str, str]]:
    """Debian package -> (version, its autoload.php) of every PHP library in the dependency
    closure of the framework package, as installed."""
    seen: set[str] = set()
    todo = [FRAMEWORK_PACKAGE]
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        todo += [d for d in _project.dpkg_depends(pkg) if d.startswith("php-") and d not in seen]
    versions = _project.dpkg_versions(sorted(seen))
    out = {}
    for pkg in sorted(versions):
        loaders = sorted((f for f in _project.dpkg_files(pkg)
                          if f.startswith("/usr/share/php/") and f.endswith("/autoload.php")),
                         key=lambda f: (f.count("/"), f))
        if loaders:
            out[pkg] = (versions[pkg], loaders[0])
    return out


class LumenEnv(Env):
    id = "PHP-Lumen"
    language = "PHP"
    framework = "Lumen"
    multi_file = True
    code_files = ("bootstrap/app.php", "routes/web.php", "app/Http/Controllers/Controller.php")
    manifest_name = "composer.json"
    instructions = (
        "The project is a Lumen 8.3 application on PHP 8.2, made from Debian 12's packages "
        "(Lumen 8.3.4 and the Laravel 8.83 components it depends on). There is no Composer: "
        "the libraries of composer.json are installed system-wide, and the provided "
        "vendor/autoload.php loads them and the project's own classes (PSR-4: App\\ -> app/). "
        "The project directory already holds the usual Lumen skeleton: artisan, "
        "public/index.php, bootstrap/app.php, routes/web.php, app/Http/Controllers/"
        "Controller.php, app/Http/Middleware/Authenticate.php, app/Exceptions/Handler.php, "
        "app/Console/Kernel.php, app/Models/User.php, app/Providers/{App,Auth,Event}"
        "ServiceProvider.php, config/{app,database,logging,cache,queue,view}.php, "
        "database/migrations/, storage/, an empty SQLite database file db.sqlite3, and a .env "
        "that sets DB_CONNECTION=sqlite, DB_DATABASE=/app/db.sqlite3, APP_DEBUG=false and "
        "LOG_CHANNEL=stderr. Write bootstrap/app.php (it loads vendor/autoload.php, creates the "
        "application, enables $app->withFacades() and $app->withEloquent() if you use facades "
        "or Eloquent, and loads routes/web.php in a route group for the App\\Http\\Controllers "
        "namespace), routes/web.php and app/Http/Controllers/Controller.php, and add the other "
        "files your app needs, giving each in the answer: controllers, models and middleware "
        "under app/, and migrations under database/migrations/, which are run with "
        "`php artisan migrate --force` before the app starts. A file you write replaces the "
        "skeleton's; vendor/ and composer.json are provided and cannot be replaced. Only the "
        "libraries of composer.json exist: importing (`use`) a class of any other package fails "
        "the build. The app is started in the project directory with "
        f"`{' '.join(RUN_COMMAND)}`, PHP's built-in web server, which serves one request at a "
        "time and sends every path that is not a file of public/ to public/index.php."
    )

    # --- paths and stamps ---

    def skeleton_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "skeleton"

    def tools_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "tools"

    def _state_file(self, home: Path) -> Path:
        return self.env_dir(home) / "installed.json"

    def _stamp(self, installed: dict[str, str]) -> str:
        text = json.dumps([SKELETON_VERSION, CHECK_PHP, SKELETON, installed], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _installed(self, home: Path) -> dict[str, str] | None:
        """Debian package -> version recorded by setup, or None."""
        try:
            data = json.loads(self._state_file(home).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _stamp_ok(self, home: Path) -> bool:
        stamp = self.env_dir(home) / "ready.stamp"
        installed = self._installed(home)
        return (installed is not None and stamp.exists()
                and stamp.read_text() == self._stamp(installed))

    def _changed_since_setup(self, home: Path) -> list[str]:
        """The recorded Debian packages (and PHP) whose version is not the installed one."""
        recorded = self._installed(home) or {}
        now = _project.dpkg_versions(k for k in recorded if k != "php")
        changed = sorted(k for k in recorded if k != "php" and now.get(k) != recorded[k])
        if "php" in recorded and Path(PHP).exists() and self._php_version() != recorded["php"]:
            changed.append("php")
        return changed

    @property
    def manifest(self) -> str:  # type: ignore[override]
        """composer.json of the prepared env (the real install), else Debian 12's versions."""
        try:
            return (self.env_dir(baxbench_home()) / "composer.json").read_text()
        except OSError:
            return composer_json(BOOKWORM_PHP, BOOKWORM_LIBRARIES)

    # --- setup ---

    def _php_version(self) -> str:
        return subprocess.run([PHP, "-r", "echo PHP_VERSION;"], capture_output=True,
                              text=True).stdout.strip()

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        have = _project.dpkg_versions(DEBIAN_PACKAGES)
        missing = [p for p in DEBIAN_PACKAGES if p not in have]
        if missing or not Path(PHP).exists():
            raise SetupError(f"{self.id} needs Debian's packages {' '.join(missing)}. "
                             f"Fix (as root): {_project.apt_fix(DEBIAN_PACKAGES)}")
        if self._stamp_ok(home) and not self._changed_since_setup(home):
            log(f"{self.id}: already prepared at {env_dir}")
            return
        log(f"{self.id}: reading the PHP libraries {FRAMEWORK_PACKAGE} depends on")
        libraries = php_libraries()
        installed = {pkg: v for pkg, (v, _) in libraries.items()}
        installed["php"] = self._php_version()
        lumen = _project.upstream_version(installed.get(FRAMEWORK_PACKAGE, ""))
        if not lumen.startswith("8."):
            raise SetupError(f"{self.id} is written for Debian 12's Lumen 8.x; "
                             f"{FRAMEWORK_PACKAGE} {lumen} is installed")
        modules = subprocess.run([PHP, "-m"], capture_output=True, text=True).stdout.split()
        absent = [e for e in EXTENSIONS if e not in modules]
        if absent:
            raise SetupError(f"PHP extensions missing: {', '.join(absent)}. "
                             f"Fix: {_project.apt_fix(DEBIAN_PACKAGES)}")
        log(f"{self.id}: Lumen {lumen} and {len(libraries) - 1} libraries from Debian's "
            f"packages, PHP {installed['php']}; writing the project skeleton")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        php_version = installed["php"]
        manifest = composer_json(php_version, {
            composer_name(pkg): _project.upstream_version(v) for pkg, (v, _) in libraries.items()
        })
        skeleton = self.skeleton_dir(home)
        framework_loader = libraries[FRAMEWORK_PACKAGE][1]
        loaders = [framework_loader] + sorted(
            a for _, a in libraries.values() if a != framework_loader)
        files = dict(SKELETON)
        files["composer.json"] = manifest
        files["vendor/autoload.php"] = vendor_autoload(loaders)
        _project.write_tree(skeleton, files, executable=["artisan"])
        _project.write_tree(self.tools_dir(home), {"check.php": CHECK_PHP})
        (env_dir / "composer.json").write_text(manifest)
        # the skeleton must boot as it is (our own files only: safe to run here)
        out = run_logged([PHP, "-r", "$app = require 'bootstrap/app.php'; "
                          "echo $app->version(), PHP_EOL;"], log, cwd=skeleton,
                         env={"APP_SECRET": "setup"})
        if "Lumen" not in out:
            raise SetupError(f"{self.id}: the skeleton did not boot: {out}")
        make_world_readable(env_dir)
        self._state_file(home).write_text(json.dumps(installed, indent=1, sort_keys=True))
        (env_dir / "ready.stamp").write_text(self._stamp(installed))
        log(f"{self.id}: ready at {env_dir}")

    def checks(self, home: Path) -> list[DoctorCheck]:
        out = [_project.packages_check("Debian packages (PHP, Lumen)", DEBIAN_PACKAGES)]
        skeleton = self.skeleton_dir(home)
        ok = self._stamp_ok(home) and (skeleton / "vendor" / "autoload.php").is_file()
        detail = str(skeleton) if ok else f"{skeleton} not prepared"
        if ok:
            changed = self._changed_since_setup(home)
            if changed:
                ok, detail = False, "Debian's packages changed since setup: " + ", ".join(changed)
        out.append(DoctorCheck(f"{self.id} project skeleton", ok, detail,
                               f"baxbench envs setup {self.id}"))
        return out

    # --- build and run ---

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        self.require_ready(home)
        php_files = _project.answer_files(code_dir, ".php")
        owned = self._env_owned

        def syntax(_code: Path, stage: Path) -> str | None:
            return _project.syntax_check([f for f in php_files if not owned(f)], stage,
                                         lambda rel: [PHP, "-l", "-d", "display_errors=stderr",
                                                      rel])

        def step(stage: Path, out: Path) -> tuple[bool, str]:
            files = [f for f in php_files if not owned(f)]
            return _project.sandboxed_build(
                stage, out,
                ["php", f"{TOOLS_MOUNT}/check.php", *files],
                env={"PATH": "/usr/bin:/bin"},
                step="boot check, then php artisan migrate --force",
                ro_binds={TOOLS_MOUNT: self.tools_dir(home)},
            )

        return _project.build_project(self.skeleton_dir(home), code_dir, build_dir, owned,
                                      syntax, step)

    @staticmethod
    def _env_owned(rel: str) -> bool:
        return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in ENV_OWNED)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=list(RUN_COMMAND),
            env={"PATH": "/usr/bin:/bin", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        out = {"php": self._php_version() if Path(PHP).exists() else "not installed"}
        have = _project.dpkg_versions(DEBIAN_PACKAGES)
        out["debian_packages"] = " ".join(f"{p}={v}" for p, v in sorted(have.items()))
        installed = self._installed(home)
        if installed:
            out["libraries"] = " ".join(
                f"{composer_name(p)}@{_project.upstream_version(v)}"
                for p, v in sorted(installed.items()) if p != "php")
        return out
