import Foundation
import NablaAutograd
import NablaTensor

// Images for training: load_images (Keras' image_dataset_from_directory, as tensors), load_img,
// img_to_array and save_img.

/// The image files of a dataset folder and their labels, in Keras' order.
struct ImageIndex {
    var paths: [String]
    var labels: [Int]
    let classNames: [String]
}

extension Library {
    /// The file endings Keras' image_dataset_from_directory lists (others are skipped).
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "gif"]

    /// Lists `folder` as image_dataset_from_directory does: one subfolder per class (sorted by
    /// name, or in the order of `classNames`), the image files under each (sorted, subfolders
    /// included); with `inferred` false, every image under the folder, unlabelled.
    static func indexImages(_ folder: String, inferred: Bool, classNames: [String]?, what: String) throws -> ImageIndex {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDir) else { throw NablaError(.value, "\(what): the folder '\(folder)' does not exist") }
        guard isDir.boolValue else { throw NablaError(.value, "\(what): '\(folder)' is a file, not a folder of class subfolders") }
        func entries(_ dir: String) throws -> [String] {
            do { return try fm.contentsOfDirectory(atPath: dir).sorted() } catch {
                throw NablaError(.value, "\(what): cannot list '\(dir)': \((error as NSError).localizedDescription)")
            }
        }
        func isFolder(_ p: String) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue }
        func images(under dir: String, depth: Int = 0) throws -> [String] {
            var out = [String]()
            for name in try entries(dir) {
                let p = (dir as NSString).appendingPathComponent(name)
                if isFolder(p) { if depth < 32 { out += try images(under: p, depth: depth + 1) } }
                else if imageExtensions.contains((name as NSString).pathExtension.lowercased()) { out.append(p) }
            }
            return out
        }
        guard inferred else {
            let paths = try images(under: folder)
            guard !paths.isEmpty else { throw NablaError(.value, "\(what): no images found in '\(folder)' (PNG or JPEG files)") }
            return ImageIndex(paths: paths, labels: [], classNames: [])
        }
        let subfolders = try entries(folder).filter { isFolder((folder as NSString).appendingPathComponent($0)) }
        var names = subfolders
        if let classNames {
            guard Set(classNames) == Set(subfolders), classNames.count == subfolders.count else {
                throw NablaError(.value, "\(what): class_names must name the subfolders of '\(folder)': expected \(subfolders.map { "'\($0)'" }.joined(separator: ", ")), got \(classNames.map { "'\($0)'" }.joined(separator: ", "))")
            }
            names = classNames
        }
        guard !names.isEmpty else {
            throw NablaError(.value, "\(what): '\(folder)' has no subfolders; put each class's images in a subfolder named after the class (e.g. \(folder)/cat/1.png)")
        }
        var index = ImageIndex(paths: [], labels: [], classNames: names)
        for (label, name) in names.enumerated() {
            let files = try images(under: (folder as NSString).appendingPathComponent(name))
            index.paths += files
            index.labels += Array(repeating: label, count: files.count)
        }
        guard !index.paths.isEmpty else {
            throw NablaError(.value, "\(what): no images found in '\(folder)' (its subfolders \(names.map { "'\($0)'" }.joined(separator: ", ")) hold no .png, .jpg or .jpeg files)")
        }
        return index
    }

    /// numpy's legacy `RandomState(seed).shuffle(list)`, as Keras shuffles file paths.
    static func numpyShuffled<T>(_ items: [T], seed: UInt32) -> [T] {
        let g = MersenneTwister()
        g.initGenrand(seed)
        var out = items
        for k in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(k, Int(g.interval(UInt64(k)))) }
        return out
    }

    /// Decodes and resizes images into one (N, height, width, channels) tensor of numbers 0–255.
    static func imageBatch(_ paths: [String], size: (Int, Int), color: ColorMode, bilinear: Bool, interpreter: Interpreter, span: Span, what: String) throws -> Tensor {
        let (h, w) = size, c = color.channels
        let per = h * w * c
        let n = try Tensor.checkedCount([paths.count, h, w, c], op: what)
        var data = [Double](repeating: 0, count: n)
        for (k, p) in paths.enumerated() {
            try interpreter.checkInterrupt(span)
            let img: Image8
            do { img = try ImageCodec.read(path: p, color: color) } catch let e as ImageError { throw NablaError(.value, "\(what): " + e.message, at: span) }
            ImageCodec.resized(img, height: h, width: w, bilinear: bilinear, into: &data, at: k * per)
        }
        return try Tensor(shape: [paths.count, h, w, c], data: data)
    }

    /// `size=(28, 28)`: positive (height, width).
    /// A (height, width) argument, or its declared default.
    static func imageSize(_ a: Args, _ name: String, default d: (Int, Int)? = nil) throws -> (Int, Int) {
        guard let s = try pair(a, name, default: d) else { throw NablaError(.type, "\(a.builtin.name)(): \(name) must be a (height, width) pair") }
        guard s.0 >= 1, s.1 >= 1, s.0 <= 16384, s.1 <= 16384 else {
            throw NablaError(.value, "\(a.builtin.name)(): \(name) must be a positive (height, width), got (\(s.0), \(s.1))")
        }
        return s
    }

    static func colorMode(_ a: Args) throws -> ColorMode {
        let s = try a.string("color_mode")
        guard let m = ColorMode(rawValue: s) else { throw NablaError(.value, "\(a.builtin.name)(): color_mode must be 'grayscale', 'rgb' or 'rgba', got '\(s)'") }
        return m
    }

    static func interpolation(_ a: Args) throws -> Bool {
        let s = try a.string("interpolation")
        guard s == "bilinear" || s == "nearest" else { throw NablaError(.value, "\(a.builtin.name)(): interpolation must be 'bilinear' or 'nearest', got '\(s)'") }
        return s == "bilinear"
    }

    static func kerasImages(_ i: Interpreter) {
        i.register(Builtin("load_images", [.string("directory"), .any("size", default: .tuple([28, 28])), .any("labels", default: "inferred"), .any("label_mode", default: "int"), .sequence("class_names", default: nil), .string("color_mode", default: "rgb"), .bool("shuffle", default: true), .int("seed", default: nil), .number("validation_split", default: nil), .string("subset", default: nil), .string("interpolation", default: "bilinear"), .any("image_size", default: nil)], formula: "x: (N, height, width, channels), values 0–255;  y[n] = index of the sample's subfolder in the sorted class names", doc: "Reads a folder of PNG and JPEG images as Keras' image_dataset_from_directory does, but returns tensors: one subfolder per class, labels numbered by the subfolders' sorted names (or the order of class_names), each image resized to size (height, width), by default (28, 28) — image_size is Keras' name for it — with tf.image.resize's 'bilinear' or 'nearest' interpolation, as color_mode 'grayscale' (1 channel), 'rgb' (3) or 'rgba' (4). Returns (x, y): y class numbers for label_mode='int', one-hot rows for 'categorical', a column of 0/1 for 'binary' (two classes), or x alone for label_mode=None or labels=None. shuffle orders the files as Keras does (numpy's RandomState(seed)); validation_split with subset='training' or 'validation' keeps the first or last part of that order, and subset='both' returns both pairs. Files with other endings are skipped; a missing or empty folder, a GIF/BMP file, or a corrupt or truncated image is an error naming it.", example: "x, y = load_digits()\nfor k in range(6):\n    save_img(f'/tmp/nabla-digits/{int(y[k])}/{k}.png', reshape(x[k], 8, 8) * 16, scale=False)\nimages, labels = load_images('/tmp/nabla-digits', size=(8, 8), color_mode='grayscale', shuffle=False)\n(shape(images), labels)") { a in
            let what = "load_images()"
            let folder = try a.string("directory")
            let size = try a.has("image_size") ? imageSize(a, "image_size") : imageSize(a, "size")
            let color = try colorMode(a), bilinear = try interpolation(a)
            let inferred: Bool
            switch a.named["labels"] {
            case nil, .string("inferred")?: inferred = true
            case .none?: inferred = false
            case let v?: throw NablaError(.value, "load_images(): labels must be 'inferred' (from the subfolders) or None, got \(a.interpreter.repr(v))")
            }
            var labelMode: String? = "int"
            if a.named["label_mode"] != nil {
                labelMode = a.has("label_mode") ? try a.string("label_mode") : nil
            }
            guard labelMode == nil || ["int", "categorical", "binary"].contains(labelMode ?? "") else {
                throw NablaError(.value, "load_images(): label_mode must be 'int', 'categorical', 'binary' or None, got '\(labelMode ?? "")'")
            }
            let classNames = try a.has("class_names") ? a.sequence("class_names").map { v -> String in
                guard case let .string(s) = v else { throw NablaError(.type, "load_images(): class_names must be folder names (strings), got \(v.typeName)") }
                return s
            } : nil
            if classNames != nil && !inferred { throw NablaError(.value, "load_images(): class_names is only used with labels='inferred'") }
            let shuffle = try a.bool("shuffle")
            let split = try a.has("validation_split") ? a.double("validation_split") : 0
            guard split >= 0, split < 1 else { throw NablaError(.value, "load_images(): validation_split must be between 0 and 1, got \(Tensor.formatNumber(split))") }
            let subset = try a.has("subset") ? a.string("subset") : nil
            if let subset, !["training", "validation", "both"].contains(subset) {
                throw NablaError(.value, "load_images(): subset must be 'training', 'validation' or 'both', got '\(subset)'")
            }
            if split > 0, subset == nil { throw NablaError(.value, "load_images(): with validation_split, say which part to return: subset='training', 'validation' or 'both'") }
            if split == 0, subset != nil { throw NablaError(.value, "load_images(): subset='\(subset ?? "")' needs a validation_split, e.g. validation_split=0.2") }
            if split > 0, shuffle, !a.has("seed") {
                throw NablaError(.value, "load_images(): with validation_split and shuffle=True, give a seed (e.g. seed=1337) so the training and validation parts do not overlap")
            }
            var index = try indexImages(folder, inferred: inferred, classNames: classNames, what: what)
            if inferred, labelMode == "binary", index.classNames.count != 2 {
                throw NablaError(.value, "load_images(): label_mode='binary' needs exactly 2 classes, '\(folder)' has \(index.classNames.count): \(index.classNames.joined(separator: ", "))")
            }
            if shuffle {
                let seed: UInt32
                if a.has("seed") {
                    let s = try a.int("seed")
                    guard s >= 0, s <= 0xffff_ffff else { throw NablaError(.value, "load_images(): seed must be between 0 and 2**32 - 1, got \(s)") }
                    seed = UInt32(s)
                } else { seed = UInt32(truncatingIfNeeded: RandomSource.generator.next() % 1_000_000) }
                index.paths = numpyShuffled(index.paths, seed: seed)
                index.labels = numpyShuffled(index.labels, seed: seed)
            }
            let total = index.paths.count
            let sink = a.interpreter.sink
            sink?.write(inferred ? "Found \(total) files belonging to \(index.classNames.count) class\(index.classNames.count == 1 ? "" : "es").\n" : "Found \(total) files.\n", stream: "stdout")
            let nVal = Int(split * Double(total))
            let parts: [Range<Int>]
            switch subset {
            case "training"?: parts = [0..<(total - nVal)]
            case "validation"?: parts = [(total - nVal)..<total]
            case "both"?: parts = [0..<(total - nVal), (total - nVal)..<total]
            default: parts = [0..<total]
            }
            if subset == "training" || subset == "both" { sink?.write("Using \(total - nVal) files for training.\n", stream: "stdout") }
            if subset == "validation" || subset == "both" { sink?.write("Using \(nVal) files for validation.\n", stream: "stdout") }
            if parts.contains(where: \.isEmpty) {
                throw NablaError(.value, "load_images(): validation_split=\(Tensor.formatNumber(split)) of \(total) files leaves a part with no files")
            }
            let k = index.classNames.count
            let results: [Value] = try parts.map { r in
                let x = try imageBatch(Array(index.paths[r]), size: size, color: color, bilinear: bilinear, interpreter: a.interpreter, span: a.span, what: what)
                guard inferred, let labelMode else { return .tensor(Variable(x)) }
                let labels = index.labels[r].map(Double.init)
                let y: Tensor
                switch labelMode {
                case "categorical": y = try a.interpreter.wrap(a.span) { try Tensor.onehot(Tensor(labels), classes: k) }
                case "binary": y = try Tensor(shape: [labels.count, 1], data: labels)
                default: y = Tensor(labels)
                }
                return .tuple([.tensor(Variable(x)), .tensor(Variable(y))])
            }
            return results.count == 1 ? results[0] : .tuple(results)
        })
        i.register(Builtin("load_img", [.string("path"), .string("color_mode", default: "rgb"), .any("target_size", default: nil), .string("interpolation", default: "nearest")], doc: "One PNG or JPEG file as a (height, width, channels) tensor of numbers 0–255 (Keras' keras.utils.load_img, which returns a PIL image; img_to_array of it gives the same numbers), resized to target_size (height, width) when given.", example: "save_img('/tmp/nabla-example.jpg', reshape(arange(12), 2, 2, 3))\nshape(load_img('/tmp/nabla-example.jpg', target_size=(4, 4)))") { a in
            let path = try a.string("path"), color = try colorMode(a)
            let img: Image8
            do { img = try ImageCodec.read(path: path, color: color) } catch let e as ImageError { throw NablaError(.value, "load_img(): " + e.message) }
            let (h, w) = try a.has("target_size") ? imageSize(a, "target_size", default: (img.height, img.width)) : (img.height, img.width)
            var data = [Double](repeating: 0, count: h * w * img.channels)
            ImageCodec.resized(img, height: h, width: w, bilinear: try interpolation(a), into: &data, at: 0)
            return .tensor(Variable(try Tensor(shape: [h, w, img.channels], data: data)))
        })
        i.register(Builtin("img_to_array", [.any("img")], doc: "An image (as load_img returns it) as a float tensor (height, width, channels); Keras' keras.utils.img_to_array.", example: "shape(img_to_array(reshape(arange(4), 2, 2)))") { a in
            let x = try a.tensor("img").value
            guard x.rank == 2 || x.rank == 3 else { throw NablaError(.shape, "img_to_array(): expected an image (height, width[, channels]), got shape \(formatShape(x.shape))") }
            return .tensor(Variable(x.rank == 2 ? try x.reshaped(x.shape + [1]) : x))
        })
        i.register(Builtin("save_img", [.string("path"), .tensor("x"), .string("file_format", default: nil), .bool("scale", default: true), .int("quality", default: 95)], formula: "scale: pixel = 255 · (x − min x) / (max x − min x)", doc: "Writes an image (height, width[, channels]) with 1, 3 or 4 channels to a PNG file, or a JPEG for a .jpg/.jpeg path or file_format='jpeg' (quality 1–100), as keras.utils.save_img: with scale=True the values are stretched to 0–255, otherwise they are taken as 0–255 (rounded, clipped). Missing parent folders are created.", example: "x, y = load_digits()\nsave_img('/tmp/nabla-digit.png', reshape(x[0], 8, 8))   # stretched to 0–255\nload_img('/tmp/nabla-digit.png', color_mode='grayscale')[0, :, 0]") { a in
            let path = try a.string("path")
            var x = try a.tensor("x").value
            if x.rank == 2 { x = try x.reshaped(x.shape + [1]) }
            guard x.rank == 3, [1, 3, 4].contains(x.shape[2]), x.shape[0] >= 1, x.shape[1] >= 1 else {
                throw NablaError(.shape, "save_img(): expected an image (height, width) or (height, width, channels) with 1, 3 or 4 channels, got shape \(formatShape(x.shape))")
            }
            guard x.data.allSatisfy(\.isFinite) else { throw NablaError(.value, "save_img(): the image has values that are not finite (nan or inf)") }
            var values = x.data
            if try a.bool("scale") {
                let lo = values.min() ?? 0, hi = values.max() ?? 0
                values = values.map { hi > lo ? ($0 - lo) / (hi - lo) * 255 : 0 }
            }
            let pixels = values.map { UInt8(Swift.min(Swift.max($0.rounded(), 0), 255)) }
            let ext = (path as NSString).pathExtension.lowercased()
            let format = try a.has("file_format") ? a.string("file_format").lowercased() : (ext == "jpg" || ext == "jpeg" ? "jpeg" : "png")
            guard format == "png" || format == "jpeg" || format == "jpg" else { throw NablaError(.value, "save_img(): file_format must be 'png' or 'jpeg', got '\(format)'") }
            let quality = try a.int("quality")
            guard (1...100).contains(quality) else { throw NablaError(.value, "save_img(): quality must be between 1 and 100, got \(quality)") }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            do {
                try ImageCodec.write(Image8(width: x.shape[1], height: x.shape[0], channels: x.shape[2], pixels: pixels), path: path, jpeg: format != "png", quality: quality)
            } catch let e as ImageError { throw NablaError(.value, "save_img(): " + e.message) }
            return .none
        })
    }
}
