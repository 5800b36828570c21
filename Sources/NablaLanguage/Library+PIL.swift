import Foundation
import NablaAutograd
import NablaTensor

// `from PIL import Image`: open, resize, convert and save PNG and JPEG images with Pillow's
// numbers, and `np.array(img)` as a (height, width[, channels]) array, so the notes'
// load_data cell (glob + Image.open) runs as written.

/// A PIL image: 8-bit pixels in mode L, LA, RGB or RGBA.
public final class PILImage: NablaObject {
    var image: Image8
    /// The file format it was read from ('PNG', 'JPEG'), nil for images made in the program.
    let format: String?
    let filename: String

    init(_ image: Image8, format: String? = nil, filename: String = "") {
        self.image = image; self.format = format; self.filename = filename
    }

    /// An image from interleaved 8-bit pixels (1–4 channels), for layers that draw pictures.
    public convenience init?(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        guard (1...4).contains(channels), width > 0, height > 0, pixels.count == width * height * channels else { return nil }
        self.init(Image8(width: width, height: height, channels: channels, pixels: pixels))
    }

    static let modes = [1: "L", 2: "LA", 3: "RGB", 4: "RGBA"]
    static let channels = ["L": 1, "LA": 2, "RGB": 3, "RGBA": 4]
    var mode: String { PILImage.modes[image.channels] ?? "RGB" }
    public var width: Int { image.width }
    public var height: Int { image.height }

    public var typeName: String { "Image" }
    public var text: String {
        let cls = format.map { "PIL.\($0 == "JPEG" ? "Jpeg" : "Png")ImagePlugin.\($0 == "JPEG" ? "Jpeg" : "Png")ImageFile" } ?? "PIL.Image.Image"
        return "<\(cls) image mode=\(mode) size=\(image.width)x\(image.height)>"
    }

    /// The pixels as numpy gives them for `np.array(img)`: (height, width) for L, else
    /// (height, width, channels), numbers 0–255.
    public var array: Tensor {
        let shape = image.channels == 1 ? [image.height, image.width] : [image.height, image.width, image.channels]
        return (try? Tensor(shape: shape, data: image.pixels.map(Double.init))) ?? Tensor(0)
    }

    /// The image as PNG bytes, for display.
    public var png: [UInt8]? { try? ImageCodec.encodePNG(image, path: filename) }

    public var attributeNames: [String] { ["size", "width", "height", "mode", "format", "filename", "resize", "convert", "save", "copy", "crop", "getpixel", "show"] }

    public func attribute(_ name: String) -> Value? {
        switch name {
        case "size": return .tuple([.int(image.width), .int(image.height)])
        case "width": return .int(image.width)
        case "height": return .int(image.height)
        case "mode": return .string(mode)
        case "format": return format.map { .string($0) } ?? .none
        case "filename": return .string(filename)
        default: return PILImage.methods[name].map { .builtin($0.bound(to: .object(self))) }
        }
    }

    static func receiver(_ a: Args) throws -> PILImage {
        guard case let .object(img as PILImage)? = a.named["self"] else { throw NablaError(.type, "\(a.builtin.name)() needs an image") }
        return img
    }

    /// A (width, height) pair of positive sizes, as PIL takes them.
    static func size(_ a: Args, _ name: String) throws -> (Int, Int) {
        let v = try a.sequence(name)
        guard v.count == 2 else { throw NablaError(.type, "\(a.builtin.name)(): \(name) must be a (width, height) pair") }
        let w = try a.interpreter.toInt(v[0], span: a.span, what: "width"), h = try a.interpreter.toInt(v[1], span: a.span, what: "height")
        guard w >= 1, h >= 1, w <= 16384, h <= 16384, w * h <= ImageCodec.maxPixels else {
            throw NablaError(.value, "\(a.builtin.name)(): \(name) must be positive (width, height) up to 16384 and \(ImageCodec.maxPixels) pixels, got (\(w), \(h))")
        }
        return (w, h)
    }

    static func filter(_ a: Args) throws -> PillowFilter {
        guard a.has("resample") else { return .bicubic }
        let n = try a.int("resample")
        guard let f = PillowFilter(rawValue: n) else {
            throw NablaError(.value, "Unknown resampling filter (\(n)). Use Image.Resampling.NEAREST (0), LANCZOS (1), BILINEAR (2), BICUBIC (3), BOX (4) or HAMMING (5)")
        }
        return f
    }

    /// The methods, declared once (made per access: a Builtin is not Sendable, so no static table).
    static var methods: [String: Builtin] { Dictionary(uniqueKeysWithValues: [
        Builtin("resize", [.any("self"), .any("size"), .any("resample", default: nil)], doc: "A copy resized to size (width, height) with Pillow's filter (BICUBIC by default), numbers as Pillow computes them.") { a in
            let img = try receiver(a), (w, h) = try size(a, "size")
            return .object(PILImage(ImageCodec.pillowResized(img.image, width: w, height: h, filter: try filter(a))))
        },
        Builtin("convert", [.any("self"), .string("mode")], doc: "A copy in mode 'L' (gray, ITU-R 601-2 luma), 'LA', 'RGB' or 'RGBA'.") { a in
            let img = try receiver(a), mode = try a.string("mode")
            guard let c = channels[mode] else { throw NablaError(.value, "conversion from \(img.mode) to \(mode) not supported (Nabla's images are L, LA, RGB or RGBA)") }
            return .object(PILImage(ImageCodec.pillowConverted(img.image, channels: c)))
        },
        Builtin("save", [.any("self"), .string("fp"), .string("format", default: nil), .int("quality", default: 75)], doc: "Writes the image as PNG, or JPEG for a .jpg/.jpeg name or format='JPEG' (quality 1–95, PIL's default 75).") { a in
            let img = try receiver(a), path = try a.string("fp")
            let ext = (path as NSString).pathExtension.lowercased()
            let format = try a.optionalString("format")?.uppercased() ?? (["jpg", "jpeg"].contains(ext) ? "JPEG" : ext == "png" ? "PNG" : "")
            guard format == "PNG" || format == "JPEG" || format == "JPG" else {
                throw NablaError(.value, format.isEmpty ? "unknown file extension: '.\(ext)' (Nabla writes .png and .jpg)" : "Nabla writes PNG and JPEG images, not \(format)")
            }
            if format != "PNG", img.image.channels == 2 || img.image.channels == 4 { throw NablaError(.os, "cannot write mode \(img.mode) as JPEG") }
            let q = try a.int("quality")
            guard (1...100).contains(q) else { throw NablaError(.value, "save(): quality must be between 1 and 100, got \(q)") }
            do { try ImageCodec.write(img.image, path: path, jpeg: format != "PNG", quality: q) } catch let e as ImageError { throw NablaError(.os, e.message) }
            return .none
        },
        Builtin("copy", [.any("self")], doc: "A copy of the image.") { a in .object(PILImage(try receiver(a).image)) },
        Builtin("crop", [.any("self"), .any("box")], doc: "The region box = (left, upper, right, lower) as a new image; outside the image is black (0).") { a in
            let img = try receiver(a)
            let b = try a.sequence("box").map { try a.interpreter.toInt($0, span: a.span, what: "box") }
            guard b.count == 4, b[2] >= b[0], b[3] >= b[1], b[2] - b[0] <= 16384, b[3] - b[1] <= 16384, (b[2] - b[0]) * (b[3] - b[1]) <= ImageCodec.maxPixels else {
                throw NablaError(.value, "crop(): box must be (left, upper, right, lower) with right >= left and lower >= upper")
            }
            let (w, h, c) = (b[2] - b[0], b[3] - b[1], img.image.channels)
            var out = [UInt8](repeating: 0, count: w * h * c)
            for y in 0..<h { for x in 0..<w {
                let sx = x + b[0], sy = y + b[1]
                guard sx >= 0, sy >= 0, sx < img.image.width, sy < img.image.height else { continue }
                for k in 0..<c { out[(y * w + x) * c + k] = img.image.pixels[(sy * img.image.width + sx) * c + k] }
            } }
            return .object(PILImage(Image8(width: w, height: h, channels: c, pixels: out)))
        },
        Builtin("getpixel", [.any("self"), .any("xy")], doc: "The pixel at (x, y): a number for mode L, else a tuple.") { a in
            let img = try receiver(a)
            let xy = try a.sequence("xy").map { try a.interpreter.toInt($0, span: a.span, what: "xy") }
            guard xy.count == 2 else { throw NablaError(.type, "getpixel(): xy must be an (x, y) pair") }
            var (x, y) = (xy[0], xy[1])
            if x < 0 { x += img.image.width }
            if y < 0 { y += img.image.height }
            guard x >= 0, y >= 0, x < img.image.width, y < img.image.height else { throw NablaError(.index, "image index out of range") }
            let p = (y * img.image.width + x) * img.image.channels
            let px = img.image.pixels[p..<(p + img.image.channels)].map { Value.int(Int($0)) }
            return px.count == 1 ? px[0] : .tuple(px)
        },
        Builtin("show", [.any("self")], doc: "Shows the image in the notebook.") { a in
            a.interpreter.sink?.display(.object(try receiver(a)), id: nil, update: false)
            return .none
        },
    ].map { ($0.name, $0) }) }
}

extension Library {
    /// PIL and PIL.Image.
    static func pil(_ i: Interpreter) -> Module {
        var members = [String: Value]()
        let filters = Dictionary(uniqueKeysWithValues: PillowFilter.allCases.map { ($0.name, Value.int($0.rawValue)) })
        members.merge(filters) { a, _ in a }
        members["ANTIALIAS"] = .int(PillowFilter.lanczos.rawValue)   // Pillow < 10's name for LANCZOS, still in textbooks
        members["Resampling"] = .module(Module(name: "PIL.Image.Resampling", members: filters))
        for (name, value) in [
            fn("open", [.string("fp"), .string("mode", default: "r")], "Reads a PNG or JPEG file as an image in the file's own mode (L, LA, RGB or RGBA; a palette PNG opens as RGB or RGBA).") { a in
                let path = try a.string("fp")
                guard try a.string("mode") == "r" else { throw NablaError(.value, "bad mode '\(try a.string("mode"))'") }
                guard FileManager.default.fileExists(atPath: path) else { throw NablaError(.fileNotFound, "[Errno 2] No such file or directory: '\(path)'") }
                do {
                    let (img, format) = try ImageCodec.read(path: path, channels: nil)
                    return .object(PILImage(img, format: format.rawValue, filename: path))
                } catch let e as ImageError { throw NablaError(.os, "cannot identify image file: " + e.message) }
            },
            fn("fromarray", [.tensor("obj"), .string("mode", default: nil)], "An image from an array of whole numbers 0–255: (height, width) is mode L, (height, width, 3) RGB, (height, width, 4) RGBA.") { a in
                let x = try a.tensor("obj").value
                let c = x.rank == 2 ? 1 : x.rank == 3 ? x.shape[2] : 0
                guard (1...4).contains(c), x.shape[0] >= 1, x.shape[1] >= 1 else { throw NablaError(.type, "Cannot handle this data type: array of shape \(formatShape(x.shape)) (expected (height, width) or (height, width, 1–4))") }
                if let m = try a.optionalString("mode"), PILImage.channels[m] != c { throw NablaError(.value, "fromarray(): mode '\(m)' does not match an array of shape \(formatShape(x.shape))") }
                guard x.data.allSatisfy({ $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }) else {
                    throw NablaError(.type, "fromarray(): pixel values must be whole numbers 0–255 (numpy's uint8); for values 0–1 use (x * 255).astype(np.uint8)")
                }
                return .object(PILImage(Image8(width: x.shape[1], height: x.shape[0], channels: c, pixels: x.data.map { UInt8($0) })))
            },
            fn("new", [.string("mode"), .any("size"), .any("color", default: 0)], "A new image of size (width, height) filled with color (a number or a tuple per channel).") { a in
                let mode = try a.string("mode")
                guard let c = PILImage.channels[mode] else { throw NablaError(.value, "unrecognized image mode '\(mode)'") }
                let (w, h) = try PILImage.size(a, "size")
                let fill: [Int]
                switch a.value("color") ?? .int(0) {
                case let .tuple(t): fill = try t.map { try a.interpreter.toInt($0, span: a.span, what: "color") }
                case let v: fill = Array(repeating: try a.interpreter.toInt(v, span: a.span, what: "color"), count: c)
                }
                guard fill.count == c, fill.allSatisfy({ (0...255).contains($0) }) else { throw NablaError(.type, "color must be \(c) number\(c == 1 ? "" : "s") 0–255 for mode \(mode)") }
                let px = (0..<(w * h)).flatMap { _ in fill.map { UInt8($0) } }
                return .object(PILImage(Image8(width: w, height: h, channels: c, pixels: px)))
            },
        ] { members[name] = value }
        return Module(name: "PIL.Image", members: members)
    }
}
