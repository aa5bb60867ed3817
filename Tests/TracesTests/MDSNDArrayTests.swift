import Foundation
import Testing
@testable import Traces

@Suite struct MDSNDArrayTests {
    @Test func refusesWhatTheReferenceRefuses() throws {
        let col = MDSColumn("a", .ndarray(dtype: .uint32, shape: nil))
        // Empty arrays, 0-d scalars and a dtype other than the column's (MDS.md §4).
        #expect(throws: TracesError.self) { try col.encode(.array(MDSArray(dtype: .uint32, shape: [0], data: []))) }
        #expect(throws: TracesError.self) { try col.encode(.array(MDSArray(dtype: .uint32, shape: [], data: [1, 0, 0, 0]))) }
        #expect(throws: TracesError.self) { try col.encode(.array(MDSArray(dtype: .int32, shape: [1], data: [1, 0, 0, 0]))) }
        #expect(throws: TracesError.self) { try col.encode(.array(MDSArray(dtype: .uint32, shape: [2], data: [1, 0, 0, 0]))) }
    }

    @Test func shapeHeaderWidthFollowsTheLargestDim() throws {
        let col = MDSColumn("a", .ndarray(dtype: nil, shape: nil))
        let a = MDSArray(dtype: .uint8, shape: [1, 300], data: [UInt8](repeating: 7, count: 300))
        let bytes = try col.encode(.array(a))
        // dtype code 8, header (2 << 2) | 1 (u16 dims), dims 1 and 300.
        #expect(Array(bytes.prefix(6)) == [8, 0x09, 1, 0, 0x2C, 0x01])
        #expect(col.decode(bytes[...]) == .array(a))
        #expect(col.decode(bytes.dropLast()) == nil)
    }

    @Test func encodingStringsRoundTrip() {
        for s in ["ndarray", "ndarray:float16", "ndarray:int16:2,3", "int64", "json"] {
            #expect(MDSEncoding(rawValue: s)?.rawValue == s)
        }
        #expect(MDSEncoding(rawValue: "ndarray:")?.rawValue == "ndarray")
        for s in ["ndarray:bool", "ndarray:int8:0", "ndarray:int8:2:3", "pkl", "float16"] {
            #expect(MDSEncoding(rawValue: s) == nil)
        }
        #expect(MDSEncoding(rawValue: "ndarray:int16:2,3")?.fixedSize == 12)
    }
}
