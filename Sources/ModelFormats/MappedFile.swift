import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory map of a whole file, unmapped when released.
///
/// Model files are large (the default teacher is 98 MB); mapping lets tensors be read in
/// place with no copy, and lets the kernel page them in lazily. If another process
/// truncates the file while it is mapped, reading the lost pages raises SIGBUS: that is a
/// property of mmap and cannot be guarded against from here.
final class MappedFile: @unchecked Sendable {
    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw OpenError(description: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw OpenError(description: "cannot stat (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw OpenError(description: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            // mmap rejects a zero length; an empty file is simply an empty buffer.
            base = nil
            length = 0
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw OpenError(description: "cannot map \(size) bytes (\(String(cString: strerror(errno))))")
        }
        base = pointer
        length = size
        bytes = UnsafeRawBufferPointer(start: pointer, count: size)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}
