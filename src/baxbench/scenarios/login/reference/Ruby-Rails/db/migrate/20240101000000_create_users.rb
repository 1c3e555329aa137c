# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
class CreateUsers < ActiveRecord::Migration[6.1]
  def change
    create_table :users do |t|
      t.string :email, null: false
      t.string :name, null: false
      t.string :password_digest, null: false
    end
    add_index :users, :email, unique: true
  end
end
