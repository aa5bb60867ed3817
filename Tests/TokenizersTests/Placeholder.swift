import Testing

@Test func placeholder_TokenizersTests() { #expect(Bool(true)) }
