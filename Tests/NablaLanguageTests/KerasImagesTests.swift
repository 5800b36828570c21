import CPNG
import CTurboJPEG
import Foundation
import Testing
@testable import NablaLanguage

/// load_images on folders the tests write with libpng and TurboJPEG directly (not through
/// Nabla's codec): pixels, labels, resizing, splits, and errors that name the file.
@Suite struct KerasImagesTests {
    /// A fresh folder under the temporary directory, removed by the caller.
    static func folder() throws -> String {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("nabla-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes 8-bit pixels (rows of width × channels) as a PNG with libpng's write API.
    static func writePNG(_ path: String, width: Int, height: Int, channels: Int, _ pixels: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width); image.height = png_uint_32(height)
        image.format = channels == 1 ? png_uint_32(PNG_FORMAT_GRAY) : png_uint_32(PNG_FORMAT_FLAG_COLOR)
        #expect(png_image_write_to_file(&image, path, 0, pixels, 0, nil) != 0)
        png_image_free(&image)
    }

    /// Writes RGB pixels as a JPEG (quality 100, no chroma subsampling) with TurboJPEG.
    static func writeJPEG(_ path: String, width: Int, height: Int, _ pixels: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let tj = tjInitCompress()
        defer { tjDestroy(tj) }
        var buf: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        #expect(tjCompress2(tj, pixels, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &buf, &size, Int32(TJSAMP_444.rawValue), 100, 0) == 0)
        try Data(UnsafeBufferPointer(start: buf, count: Int(size))).write(to: URL(fileURLWithPath: path))
        tjFree(buf)
    }

    static func gray(_ values: [Int]) -> [UInt8] { values.map { UInt8($0) } }

    @Test func pixelsAndLabelsFromClassFolders() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // cat: two 2×3 RGB PNGs; dog: one JPEG of a flat colour; a text file to skip.
        let a = (0..<18).map { UInt8($0 * 10) }, b = (0..<18).map { UInt8(250 - $0 * 10) }
        try Self.writePNG("\(dir)/cat/a.png", width: 3, height: 2, channels: 3, a)
        try Self.writePNG("\(dir)/cat/b.png", width: 3, height: 2, channels: 3, b)
        try Self.writeJPEG("\(dir)/dog/c.jpg", width: 3, height: 2, [UInt8](repeating: 0, count: 18).enumerated().map { $0.offset % 3 == 0 ? 200 : 40 })
        try "not an image".write(toFile: "\(dir)/cat/notes.txt", atomically: true, encoding: .utf8)
        let s = Session()
        let sink = TextSink(interpreter: s.interpreter)
        guard case .ok = s.execute("x, y = load_images('\(dir)', size=(2, 3), shuffle=False)", sink: sink) else { Issue.record("load_images failed: \(sink.stderr)"); return }
        #expect(sink.stdout.contains("Found 3 files belonging to 2 classes."))
        #expect(ints(try value(s, "shape(x)")) == [3, 2, 3, 3])
        #expect(numbers(try value(s, "y")) == [0, 0, 1])
        #expect(numbers(try value(s, "x[0]")) == a.map(Double.init))
        #expect(numbers(try value(s, "x[1]")) == b.map(Double.init))
        // The JPEG (quality 100, 4:4:4) decodes to its flat colour within a step of rounding.
        let c = numbers(try value(s, "x[2]"))
        #expect(zip(c, (0..<18).map { $0 % 3 == 0 ? 200.0 : 40.0 }).allSatisfy { Swift.abs($0 - $1) <= 2 }, "\(c)")
        // Keras' other forms: one-hot labels, grayscale, class_names choosing the order, no labels.
        #expect(numbers(try value(s, "load_images('\(dir)', size=(2, 3), shuffle=False, label_mode='categorical')[1]")) == [1, 0, 1, 0, 0, 1])
        #expect(numbers(try value(s, "load_images('\(dir)', size=(2, 3), shuffle=False, label_mode='binary')[1]")) == [0, 0, 1])
        #expect(ints(try value(s, "shape(load_images('\(dir)', image_size=(4, 5), color_mode='grayscale')[0])")) == [3, 4, 5, 1])
        #expect(numbers(try value(s, "load_images('\(dir)', size=(2, 3), shuffle=False, class_names=['dog', 'cat'])[1]")) == [0, 1, 1])   // dog's file first, as Keras lists classes in that order
        #expect(ints(try value(s, "shape(load_images('\(dir)', size=(2, 3), label_mode=None))")) == [3, 2, 3, 3])
        // load_img reads one file at its own size; save_img writes what load_images reads back.
        #expect(numbers(try value(s, "load_img('\(dir)/cat/a.png')")) == a.map(Double.init))
        _ = try value(s, "save_img('\(dir)/saved/z/one.png', reshape(arange(6) * 40, 2, 3), scale=False)\n1")
        #expect(numbers(try value(s, "load_images('\(dir)/saved', size=(2, 3), color_mode='grayscale')[0]")) == [0, 40, 80, 120, 160, 200])
    }

    @Test func resizeAsTensorflowDoes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // One row [0, 100] (1×2 grayscale): tf.image.resize to width 4 with half-pixel centres
        // gives [0, 25, 75, 100] (bilinear) and [0, 0, 100, 100] (nearest).
        try Self.writePNG("\(dir)/a/row.png", width: 2, height: 1, channels: 1, Self.gray([0, 100]))
        // A 1×4 row [0, 40, 100, 200] down to 2: bilinear samples at 0.5 and 2.5 → [20, 150].
        try Self.writePNG("\(dir)/b/row.png", width: 4, height: 1, channels: 1, Self.gray([0, 40, 100, 200]))
        let s = Session()
        #expect(numbers(try value(s, "load_images('\(dir)', size=(1, 4), color_mode='grayscale', shuffle=False)[0][0]")) == [0, 25, 75, 100])
        #expect(numbers(try value(s, "load_images('\(dir)', size=(1, 4), color_mode='grayscale', shuffle=False, interpolation='nearest')[0][0]")) == [0, 0, 100, 100])
        #expect(numbers(try value(s, "load_images('\(dir)', size=(1, 2), color_mode='grayscale', shuffle=False)[0][1]")) == [20, 150])
        // Grayscale read as RGB repeats the value in the three channels.
        #expect(numbers(try value(s, "load_images('\(dir)', size=(1, 2), shuffle=False)[0][0]")) == [0, 0, 0, 100, 100, 100])
    }

    @Test func shuffleAndSplitAsKeras() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Ten 1×1 images whose value is their number, 0–4 in class 'a', 5–9 in class 'b'.
        for k in 0..<10 { try Self.writePNG("\(dir)/\(k < 5 ? "a" : "b")/\(k).png", width: 1, height: 1, channels: 1, [UInt8(k)]) }
        let s = Session()
        // Keras orders files by numpy's RandomState(seed).shuffle: for seed 0 and ten files, the permutation [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
        _ = try value(s, "x, y = load_images('\(dir)', size=(1, 1), color_mode='grayscale', seed=0)\n1")
        #expect(numbers(try value(s, "reshape(x, -1)")) == [2, 8, 4, 9, 1, 6, 7, 3, 0, 5])
        #expect(numbers(try value(s, "y")) == [0, 1, 0, 1, 0, 1, 1, 0, 0, 1])
        // validation_split: the last int(0.3 · 10) = 3 files of that order are the validation part.
        _ = try value(s, "(xt, yt), (xv, yv) = load_images('\(dir)', size=(1, 1), color_mode='grayscale', seed=0, validation_split=0.3, subset='both')\n1")
        #expect(numbers(try value(s, "reshape(xt, -1)")) == [2, 8, 4, 9, 1, 6, 7])
        #expect(numbers(try value(s, "reshape(xv, -1)")) == [3, 0, 5])
        #expect(numbers(try value(s, "reshape(load_images('\(dir)', size=(1, 1), color_mode='grayscale', seed=0, validation_split=0.3, subset='validation')[0], -1)")) == [3, 0, 5])
        #expect(error(s, "load_images('\(dir)', validation_split=0.3, subset='training')")?.message.contains("seed") == true)
        #expect(error(s, "load_images('\(dir)', validation_split=0.3, seed=1)")?.message.contains("subset") == true)
    }

    @Test func badFoldersAndFilesAreClearErrors() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Session()
        #expect(error(s, "load_images('\(dir)/nowhere')")?.message.contains("does not exist") == true)
        #expect(error(s, "load_images('\(dir)')")?.message.contains("no subfolders") == true)
        try FileManager.default.createDirectory(atPath: "\(dir)/a", withIntermediateDirectories: true)
        #expect(error(s, "load_images('\(dir)')")?.message.contains("no images found") == true)
        // A truncated PNG, a truncated JPEG, a GIF and a text file named .png: each named.
        try Self.writePNG("\(dir)/p/good.png", width: 8, height: 8, channels: 3, [UInt8](repeating: 7, count: 192))
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/p/good.png"))
        try png.prefix(png.count / 2).write(to: URL(fileURLWithPath: "\(dir)/p/cut.png"))
        // Images directly in the folder, with no class subfolders, are not a dataset.
        #expect(error(s, "load_images('\(dir)/p')")?.message.contains("no subfolders") == true)
        try FileManager.default.createDirectory(atPath: "\(dir)/q/k", withIntermediateDirectories: true)
        try png.prefix(png.count / 2).write(to: URL(fileURLWithPath: "\(dir)/q/k/cut.png"))
        let e2 = error(s, "load_images('\(dir)/q')")
        #expect(e2?.message.contains("cut.png") == true && e2?.message.contains("PNG") == true, "\(String(describing: e2))")
        try Self.writeJPEG("\(dir)/r/k/full.jpg", width: 16, height: 16, [UInt8](repeating: 90, count: 768))
        let jpg = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/r/k/full.jpg"))
        try jpg.prefix(jpg.count - 20).write(to: URL(fileURLWithPath: "\(dir)/r/k/full.jpg"))
        let e3 = error(s, "load_images('\(dir)/r')")
        #expect(e3?.message.contains("full.jpg") == true && e3?.message.contains("JPEG") == true, "\(String(describing: e3))")
        try Data("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8).write(to: URL(fileURLWithPath: "\(dir)/g/k/anim.gif").creatingParent())
        #expect(error(s, "load_images('\(dir)/g')")?.message.contains("anim.gif' is a GIF image") == true)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: "\(dir)/t/k/fake.png").creatingParent())
        #expect(error(s, "load_images('\(dir)/t')")?.message.contains("fake.png' is not a PNG or JPEG") == true)
        try Data().write(to: URL(fileURLWithPath: "\(dir)/e/k/empty.jpg").creatingParent())
        #expect(error(s, "load_images('\(dir)/e')")?.message.contains("empty.jpg") == true)
        #expect(error(s, "load_images('\(dir)/q', color_mode='bgr')")?.message.contains("color_mode") == true)
        #expect(error(s, "load_images('\(dir)/q', size=(0, 4))")?.message.contains("size") == true)
        #expect(error(s, "load_images('\(dir)/q', class_names=['x'])")?.message.contains("class_names") == true)
    }

    @Test func everyImportFormStudentsCopy() throws {
        let s = Session()
        let forms = [
            "import keras\nkeras.layers.Dense(2)",
            "from keras import layers, models\nmodels.Sequential([layers.Dense(2)])",
            "from keras.layers import Dense, Conv2D\nConv2D(2, 3)",
            "from tensorflow import keras\nkeras.layers.LSTM(4)",
            "from tensorflow.keras import layers\nlayers.Flatten()",
            "from tensorflow.keras.models import Sequential\nSequential()",
            "from tensorflow.keras.layers import Dense, Dropout, BatchNormalization, LSTM\nDropout(0.1)",
            "from tensorflow.keras.callbacks import EarlyStopping\nEarlyStopping(patience=2)",
            "import tensorflow as tf\ntf.keras.layers.Dense(3)",
            "import tensorflow as tf\ntf.keras.utils.to_categorical([0, 1])",
            "import tensorflow.keras\ntensorflow.keras.models.Sequential()",
            "from keras.utils import to_categorical\nto_categorical([1])",
            "from keras.optimizers import Adam\nAdam(learning_rate=0.01)",
            "from keras.callbacks import Callback\nclass C(Callback):\n    pass\nC()",
            "import tensorflow as tf\nclass D(tf.keras.callbacks.Callback):\n    pass\nD()",
            "import tensorflow as tf\ntf.random.set_seed(1)\nkeras.utils.set_random_seed(1)\n1",
        ]
        for code in forms {
            if case let .error(e) = run(s, code) { Issue.record("\(code): \(e.message)") }
        }
        // Both spellings reach the same objects, so a layer made either way is the same builtin.
        if case let .bool(same) = try value(s, "import tensorflow as tf\nimport keras\ntf.keras.layers.Dense is keras.layers.Dense") { #expect(same) } else { Issue.record("not a bool") }
        #expect(error(s, "from keras.layers import Dense3D")?.kind == .importError)
        #expect(error(s, "import keras.losses")?.kind == .moduleNotFound)
    }
}

extension URL {
    /// The URL, after creating its parent folder.
    func creatingParent() throws -> URL {
        try FileManager.default.createDirectory(at: deletingLastPathComponent(), withIntermediateDirectories: true)
        return self
    }
}
