import Testing

@Test func placeholder_ProvenanceTests() { #expect(Bool(true)) }
