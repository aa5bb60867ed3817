import Testing

@Test func placeholder_ModelFormatsTests() { #expect(Bool(true)) }
