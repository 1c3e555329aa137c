# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
# A registered account; the password is kept only as a bcrypt digest (has_secure_password).
class User < ApplicationRecord
  has_secure_password

  validates :email, presence: true, uniqueness: true,
                    format: { with: /\A[^@\s]+@[^@\s]+\.[^@\s]+\z/ }
  validates :name, presence: true
end
