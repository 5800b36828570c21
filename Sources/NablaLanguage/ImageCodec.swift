import CPNG
import CTurboJPEG
import Foundation

// PNG and JPEG files to and from 8-bit pixels, through libpng's simplified API and TurboJPEG
// (both report errors by return code: no setjmp), and Keras' resizing, for load_images/save_img.

/// The channels an image is read as (Keras' color_mode).
enum ColorMode: String, CaseIterable {
    case grayscale, rgb, rgba

    var channels: Int {
        switch self {
        case .grayscale: return 1
        case .rgb: return 3
        case .rgba: return 4
        }
    }
}

/// An 8-bit image: height rows of width pixels of `channels` bytes each.
struct Image8 {
    let width: Int, height: Int, channels: Int
    var pixels: [UInt8]
}

/// The file formats recognised by their first bytes.
enum ImageFormat: String {
    case png = "PNG", jpeg = "JPEG", gif = "GIF", bmp = "BMP", webp = "WebP"

    /// The format whose signature `bytes` start with, if any.
    init?(signature bytes: [UInt8]) {
        func starts(_ s: [UInt8]) -> Bool { bytes.count >= s.count && Array(bytes.prefix(s.count)) == s }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts(Array("GIF8".utf8)) { self = .gif }
        else if starts(Array("BM".utf8)) { self = .bmp }
        else if starts(Array("RIFF".utf8)), bytes.count >= 12, Array(bytes[8..<12]) == Array("WEBP".utf8) { self = .webp }
        else { return nil }
    }
}

/// Why an image file could not be read or written; `message` names the file.
enum ImageError: Error {
    case unreadable(path: String, reason: String)
    case unsupported(path: String, format: String)
    case corrupt(path: String, format: ImageFormat?, reason: String)
    case tooLarge(path: String, width: Int, height: Int)
    case unwritable(path: String, reason: String)

    var message: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read '\(path)': \(reason)"
        case let .unsupported(path, format): return "'\(path)' is a \(format) image; Nabla reads PNG and JPEG images"
        case let .corrupt(path, format?, reason): return "'\(path)' is not a valid \(format.rawValue) image (corrupt or truncated): \(reason)"
        case let .corrupt(path, nil, reason): return "'\(path)' is not a PNG or JPEG image: \(reason)"
        case let .tooLarge(path, w, h): return "'\(path)' is too large to read (\(w)×\(h) pixels)"
        case let .unwritable(path, reason): return "cannot write '\(path)': \(reason)"
        }
    }
}

enum ImageCodec {
    /// The most pixels one image may have (a header claiming more is treated as corrupt data).
    static let maxPixels = 1 << 26

    /// Reads a PNG or JPEG file (recognised by its content, not its name) as `color` pixels.
    static func read(path: String, color: ColorMode) throws -> Image8 {
        try read(path: path, channels: color.channels).image
    }

    /// Reads a PNG or JPEG file with `channels` per pixel (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA),
    /// or, for nil, with the channels the file stores (as PIL's Image.open keeps its mode).
    static func read(path: String, channels: Int?) throws -> (image: Image8, format: ImageFormat) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ImageError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard !bytes.isEmpty else { throw ImageError.corrupt(path: path, format: nil, reason: "the file is empty") }
        switch ImageFormat(signature: bytes) {
        case .png?: return (try decodePNG(bytes, path: path, channels: channels), .png)
        case .jpeg?: return (try decodeJPEG(bytes, path: path, channels: channels), .jpeg)
        case let other?: throw ImageError.unsupported(path: path, format: other.rawValue)
        case nil: throw ImageError.corrupt(path: path, format: nil, reason: "its first bytes are neither a PNG nor a JPEG signature")
        }
    }

    /// libpng's message in a png_image (a fixed C array of 64 chars).
    static func message(_ image: png_image) -> String {
        var m = image.message
        return withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    static func decodePNG(_ bytes: [UInt8], path: String, channels: Int?) throws -> Image8 {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        return try bytes.withUnsafeBytes { raw -> Image8 in
            // begin_read keeps a pointer to the bytes until finish_read: both run inside this closure.
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw ImageError.corrupt(path: path, format: .png, reason: message(image))
            }
            defer { png_image_free(&image) }
            let w = Int(image.width), h = Int(image.height)
            guard w > 0, h > 0, w <= maxPixels / h else { throw ImageError.tooLarge(path: path, width: w, height: h) }
            // The file's own layout (a palette expands to RGB, or RGBA when it has transparency).
            let stored = (image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1) + (image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
            let c = channels ?? stored
            switch c {
            case 1: image.format = png_uint_32(PNG_FORMAT_GRAY)
            case 2: image.format = png_uint_32(PNG_FORMAT_FLAG_ALPHA)
            case 3: image.format = png_uint_32(PNG_FORMAT_RGB)
            default: image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
            }
            var pixels = [UInt8](repeating: 0, count: w * h * c)
            let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, png_int_32(w * c), nil) }
            guard ok != 0 else { throw ImageError.corrupt(path: path, format: .png, reason: message(image)) }
            return Image8(width: w, height: h, channels: c, pixels: pixels)
        }
    }

    static func pixelFormat(_ channels: Int) -> Int32 {
        switch channels {
        case 1: return Int32(TJPF_GRAY.rawValue)
        case 4: return Int32(TJPF_RGBA.rawValue)
        default: return Int32(TJPF_RGB.rawValue)
        }
    }

    static func decodeJPEG(_ bytes: [UInt8], path: String, channels: Int?) throws -> Image8 {
        guard let tj = tjInitDecompress() else { throw ImageError.corrupt(path: path, format: .jpeg, reason: "TurboJPEG could not start") }
        defer { tjDestroy(tj) }
        func failure() -> ImageError { .corrupt(path: path, format: .jpeg, reason: tjGetErrorStr2(tj).map { String(cString: $0) } ?? "unknown error") }
        var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(tj, bytes, UInt(bytes.count), &w, &h, &subsampling, &colorspace) == 0 else { throw failure() }
        guard w > 0, h > 0, Int(w) <= maxPixels / Int(h) else { throw ImageError.tooLarge(path: path, width: Int(w), height: Int(h)) }
        // A JPEG stores gray or colour; gray + alpha is read as gray.
        let c = channels.map { $0 == 2 ? 1 : $0 } ?? (colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3)
        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * c)
        // A warning (a truncated file: "Premature end of JPEG file") also returns -1: the pixels are incomplete.
        let rc = pixels.withUnsafeMutableBufferPointer {
            tjDecompress2(tj, bytes, UInt(bytes.count), $0.baseAddress, w, 0, h, pixelFormat(c), 0)
        }
        guard rc == 0 else { throw failure() }
        return Image8(width: Int(w), height: Int(h), channels: c, pixels: pixels)
    }

    /// Writes a PNG (or, for a .jpg/.jpeg path or format 'jpeg', a JPEG of `quality`) file.
    static func write(_ img: Image8, path: String, jpeg: Bool, quality: Int = 95) throws {
        let bytes = jpeg ? try encodeJPEG(img, path: path, quality: quality) : try encodePNG(img, path: path)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw ImageError.unwritable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    static func encodePNG(_ img: Image8, path: String) throws -> [UInt8] {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(img.width); image.height = png_uint_32(img.height)
        switch img.channels {
        case 1: image.format = png_uint_32(PNG_FORMAT_GRAY)
        case 2: image.format = png_uint_32(PNG_FORMAT_FLAG_ALPHA)
        case 4: image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        default: image.format = png_uint_32(PNG_FORMAT_RGB)
        }
        defer { png_image_free(&image) }
        var size = 0
        // First ask for the size, then write into a buffer of that size.
        guard png_image_write_to_memory(&image, nil, &size, 0, img.pixels, png_int_32(img.width * img.channels), nil) != 0, size > 0 else {
            throw ImageError.unwritable(path: path, reason: message(image))
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBytes { png_image_write_to_memory(&image, $0.baseAddress, &size, 0, img.pixels, png_int_32(img.width * img.channels), nil) }
        guard ok != 0 else { throw ImageError.unwritable(path: path, reason: message(image)) }
        return Array(out.prefix(size))
    }

    static func encodeJPEG(_ img: Image8, path: String, quality: Int) throws -> [UInt8] {
        guard let tj = tjInitCompress() else { throw ImageError.unwritable(path: path, reason: "TurboJPEG could not start") }
        defer { tjDestroy(tj) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let sampling = img.channels == 1 ? Int32(TJSAMP_GRAY.rawValue) : Int32(TJSAMP_444.rawValue)
        let rc = tjCompress2(tj, img.pixels, Int32(img.width), 0, Int32(img.height), pixelFormat(img.channels), &buffer, &size, sampling, Int32(quality), 0)
        defer { tjFree(buffer) }
        guard rc == 0, let buffer else { throw ImageError.unwritable(path: path, reason: tjGetErrorStr2(tj).map { String(cString: $0) } ?? "unknown error") }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    /// The image as (height, width, channels) numbers 0–255, resized as tf.image.resize does
    /// (half-pixel centres, no antialiasing): 'bilinear' blends the four nearest pixels,
    /// 'nearest' takes the nearest one.
    static func resized(_ img: Image8, height oh: Int, width ow: Int, bilinear: Bool, into out: inout [Double], at base: Int) {
        let c = img.channels, ih = img.height, iw = img.width
        let sy = Double(ih) / Double(oh), sx = Double(iw) / Double(ow)
        func axis(_ o: Int, _ scale: Double, _ n: Int) -> (Int, Int, Double) {
            if !bilinear { return (min(Int(((Double(o) + 0.5) * scale).rounded(.down)), n - 1), 0, 0) }
            let p = (Double(o) + 0.5) * scale - 0.5
            let f = p.rounded(.down)
            return (max(Int(f), 0), min(Int(p.rounded(.up)), n - 1), p - f)
        }
        let xs = (0..<ow).map { axis($0, sx, iw) }
        img.pixels.withUnsafeBufferPointer { px in
            for y in 0..<oh {
                let (y0, y1, fy) = axis(y, sy, ih)
                for x in 0..<ow {
                    let (x0, x1, fx) = xs[x]
                    let o = base + (y * ow + x) * c
                    for k in 0..<c {
                        if !bilinear { out[o + k] = Double(px[(y0 * iw + x0) * c + k]); continue }
                        let a = Double(px[(y0 * iw + x0) * c + k]), b = Double(px[(y0 * iw + x1) * c + k])
                        let d = Double(px[(y1 * iw + x0) * c + k]), e = Double(px[(y1 * iw + x1) * c + k])
                        let top = a + (b - a) * fx, bottom = d + (e - d) * fx
                        out[o + k] = top + (bottom - top) * fy
                    }
                }
            }
        }
    }
}
