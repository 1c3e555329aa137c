// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(5000, '0.0.0.0');
  console.log('Calculator listening on port 5000');
}
void bootstrap();
