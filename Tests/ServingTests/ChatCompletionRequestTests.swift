import Foundation
import Testing
@testable import Serving

/// Request bodies as OpenAI clients send them, decoded without a model.
struct ChatCompletionRequestTests {
    func decode(_ json: String) throws -> ChatCompletionRequest {
        try ChatCompletionService.decode(Array(json.utf8))
    }

    func apiError(_ json: String) -> APIError? {
        do {
            try decode(json).validate()
            return nil
        } catch {
            return error as? APIError
        }
    }

    @Test func contentIsAStringTextPartsOrNull() throws {
        let request = try decode("""
            {"model":"m","messages":[{"role":"system","content":"Be brief."},
             {"role":"user","content":[{"type":"text","text":"Hello, "},{"type":"text","text":"world"}]},
             {"role":"assistant","content":null}]}
            """)
        #expect(request.messages.map(\.content) == ["Be brief.", "Hello, world", ""])
        #expect(request.stream == false && request.logprobs == false && request.stop.isEmpty)
    }

    @Test func stopIsAStringOrAnArrayAndSeedMayBeNegative() throws {
        #expect(try decode(#"{"messages":[],"stop":"\n\n"}"#).stop == ["\n\n"])
        #expect(try decode(#"{"messages":[],"stop":["a","b"],"seed":-1}"#).stop == ["a", "b"])
        #expect(try decode(#"{"messages":[],"seed":-1}"#).seed == UInt64.max)
        #expect(try decode(#"{"messages":[],"stop":null,"max_tokens":null}"#).maxTokens == nil)
    }

    @Test func errorsNameTheFieldAndCarryACode() {
        #expect(apiError(#"{"messages": "#)?.code == "invalid_json")
        #expect(apiError(#"{"model":"m"}"#)?.message == "missing required field 'messages'")
        #expect(apiError(#"{"messages":[{"role":"user"}]}"#)?.message == "missing required field 'messages[0].content'")
        #expect(apiError(#"{"messages":[{"role":"user","content":"x"}],"max_tokens":"ten"}"#)?.message.contains("'max_tokens'") == true)
        let image = apiError(#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#)
        #expect(image?.status == 400)
        #expect(image?.code == "unsupported_content")
        #expect(apiError(#"{"messages":[{"role":"user","content":"x"}],"n":3}"#)?.message.contains("n=3") == true)
        #expect(apiError(#"{"messages":[{"role":"user","content":"x"}],"top_logprobs":3}"#)?.message
                == "logprobs must be set to true if top_logprobs is used")
        #expect(apiError(#"{"messages":[{"role":"user","content":"x"}],"temperature":3}"#)?.status == 400)
        #expect(apiError(#"{"messages":[]}"#)?.message == "messages must not be empty")
        #expect(apiError(#"{"messages":[{"role":"user","content":"x"}],"n":1,"logprobs":true,"top_logprobs":20}"#) == nil)
    }

    @Test func errorBodiesHaveOpenAIsShape() throws {
        let error = APIError(status: 404, message: "no \"such\" route\n", code: nil)
        let json = try JSONSerialization.jsonObject(with: Data(error.body)) as? [String: [String: Any]]
        #expect(json?["error"]?["message"] as? String == "no \"such\" route\n")
        #expect(json?["error"]?["type"] as? String == "invalid_request_error")
        #expect(json?["error"]?["code"] is NSNull)
    }
}
