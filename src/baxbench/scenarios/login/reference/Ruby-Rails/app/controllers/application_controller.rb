# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
class ApplicationController < ActionController::API
  private

  # The request body decoded as a JSON object (a Hash), or nil when it is not one.
  def json_object
    data = JSON.parse(request.raw_post)
    data.is_a?(Hash) ? data : nil
  rescue JSON::ParserError, EncodingError
    nil
  end
end
