import Testing
@testable import NablaLanguage

/// Generators are lazy, as Python's: the body runs only up to the `yield` that gives the item
/// asked for, so endless generators work with next(), zip, islice and `for … break`.
@Suite struct GeneratorTests {
    static let naturals = "def naturals():\n    n = 0\n    while True:\n        yield n\n        n += 1\n"

    @Test func anEndlessGeneratorGivesItemsOnDemand() throws {
        let s = Session()
        _ = run(s, Self.naturals + "g = naturals()")
        #expect(s.interpreter.repr(try value(s, "(next(g), next(g), next(g))")) == "(0, 1, 2)")
        #expect(s.interpreter.repr(try value(s, "list(zip('ab', naturals()))")) == "[('a', 0), ('b', 1)]")
        #expect(s.interpreter.repr(try value(s, "import itertools\nlist(itertools.islice(naturals(), 2, 5))")) == "[2, 3, 4]")
        _ = run(s, "seen = []\nfor k in naturals():\n    if k == 3:\n        break\n    seen.append(k)")
        #expect(s.interpreter.repr(try value(s, "seen")) == "[0, 1, 2]")
    }

    @Test func theBodyRunsOnlyWhenAskedAndInOrder() throws {
        let s = Session()
        _ = run(s, "log = []\ndef g():\n    log.append('start')\n    yield 1\n    log.append('after 1')\n    yield 2\nit = g()")
        #expect(s.interpreter.repr(try value(s, "log")) == "[]")
        #expect(s.interpreter.repr(try value(s, "next(it)")) == "1")
        #expect(s.interpreter.repr(try value(s, "log")) == "['start']")
        #expect(s.interpreter.repr(try value(s, "(list(it), list(it), log)")) == "([2], [], ['start', 'after 1'])")
    }

    @Test func errorsInTheBodyReachTheConsumer() throws {
        let s = Session()
        _ = run(s, "def g():\n    yield 1\n    raise ValueError('boom')")
        #expect(s.interpreter.repr(try value(s, "out = []\ntry:\n    for x in g():\n        out.append(x)\nexcept ValueError as e:\n    out.append(str(e))\nout")) == "[1, 'boom']")
        let e = try #require(error(s, Self.naturals + "list(naturals())"))
        #expect(e.kind == .memory)
    }

    @Test func droppedGeneratorsEndAndManyCanLive() throws {
        let s = Session()
        _ = run(s, Self.naturals)
        // Each dropped generator's thread unwinds; a thousand of them do not exhaust anything.
        #expect(s.interpreter.repr(try value(s, "total = 0\nfor k in range(1000):\n    g = naturals()\n    total += next(g) + next(g)\ntotal")) == "1000")
    }

    @Test func generatorExpressionsAreLazy() throws {
        let s = Session()
        _ = run(s, "import itertools\nevens = (x * 2 for x in itertools.count() if x % 3 == 0)")
        #expect(s.interpreter.repr(try value(s, "(next(evens), next(evens), next(evens))")) == "(0, 6, 12)")
        // Items are made one per request, clauses nested left to right; the first iterable is evaluated at once.
        _ = run(s, "log = []\ndef src(n):\n    log.append(n)\n    return range(n)\npairs = ((a, b) for a in src(3) for b in src(a))")
        #expect(s.interpreter.repr(try value(s, "log")) == "[3]")
        #expect(s.interpreter.repr(try value(s, "(next(pairs), log)")) == "((1, 0), [3, 0, 1])")
        #expect(s.interpreter.repr(try value(s, "(list(pairs), list(pairs))")) == "([(2, 0), (2, 1)], [])")
        #expect(s.interpreter.repr(try value(s, "sum(x * x for x in range(4))")) == "14")
    }
}
