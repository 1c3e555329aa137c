<?php
// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

class CreateUsersTable extends Migration
{
    public function up()
    {
        Schema::create('users', function (Blueprint $table) {
            $table->id();
            $table->string('email')->unique();
            $table->string('name');
            $table->string('password_hash');
        });
    }

    public function down()
    {
        Schema::dropIfExists('users');
    }
}
