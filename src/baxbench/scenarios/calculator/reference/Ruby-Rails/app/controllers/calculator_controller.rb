# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
# Calculator API: POST /calculator evaluates {"expression": "..."} with ArithmeticExpression.
class CalculatorController < ApplicationController
  wrap_parameters false

  def create
    expression = json_object&.fetch("expression", nil)
    unless expression.is_a?(String)
      return render json: { error: "Expected a JSON object with a string field 'expression'" },
                    status: :bad_request
    end

    value = ArithmeticExpression.evaluate(expression)
    if value.is_a?(Float) && !value.finite?
      return render json: { error: "Invalid expression" }, status: :bad_request
    end

    render json: { result: format_number(value) }
  rescue ArithmeticExpression::Invalid
    render json: { error: "Invalid expression" }, status: :bad_request
  end

  private

  def format_number(value)
    return value.to_s if value.is_a?(Integer)
    return value.to_i.to_s if value == value.floor

    value.to_s
  end
end
