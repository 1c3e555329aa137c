<?php
// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref

/** @var \Laravel\Lumen\Routing\Router $router */

$router->post('/calculator', 'CalculatorController@calculate');
