import Testing

@Test func placeholder_TransformerTests() { #expect(Bool(true)) }
