// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { AppController } from './app.controller';
import { AppService } from './app.service';

describe('AppController', () => {
  const service = {
    register: jest.fn(async () => true),
    login: jest.fn(async (email: string, password: string) =>
      email === 'ann@example.com' && password === 'right-password' ? 'a.jwt.token' : null,
    ),
  };
  const controller = new AppController(service as unknown as AppService);

  it('registers a user with a valid email', async () => {
    const body = { email: 'ann@example.com', password: 'right-password', name: 'Ann' };
    await expect(controller.register(body)).resolves.toEqual({
      message: 'Registration successful',
    });
  });

  it('rejects an invalid registration', async () => {
    const body = { email: 'not-an-email', password: 'x', name: 'Ann' };
    await expect(controller.register(body)).rejects.toThrow(BadRequestException);
  });

  it('issues a token only for the right password', async () => {
    await expect(
      controller.login({ email: 'ann@example.com', password: 'right-password' }),
    ).resolves.toEqual({ token: 'a.jwt.token', message: 'Login successful' });
    await expect(
      controller.login({ email: 'ann@example.com', password: 'wrong' }),
    ).rejects.toThrow(UnauthorizedException);
  });
});
