def safe_div(a, b):
    try:
        result = a / b
    except ZeroDivisionError as e:
        print("cannot divide:", e)
        return None
    else:
        print("ok")
        return result
    finally:
        print("done", a, b)


print(safe_div(6, 3))
print(safe_div(1, 0))
for bad in ["12", "x1", "3.5"]:
    try:
        print(int(bad))
    except ValueError as e:
        print("ValueError:", e)
try:
    [1, 2, 3][10]
except IndexError as e:
    print("IndexError:", e)
try:
    {}["k"]
except KeyError as e:
    print("KeyError:", e, repr(e), e.args)
try:
    None + 1
except TypeError:
    print("TypeError caught")
try:
    undefined_thing
except NameError as e:
    print("NameError caught")
try:
    assert 1 > 2, "one is not greater"
except AssertionError as e:
    print("AssertionError:", e)
try:
    raise RuntimeError("boom")
except Exception as e:
    print(type(e).__name__, e)
try:
    try:
        raise ValueError("inner")
    except ValueError:
        print("handling inner")
        raise
except ValueError as e:
    print("re-raised:", e)
try:
    "abc".missing_method()
except AttributeError:
    print("AttributeError caught")
try:
    1 // 0
except ArithmeticError as e:
    print("ArithmeticError family:", type(e).__name__)
try:
    [].pop()
except LookupError as e:
    print("LookupError family:", type(e).__name__)
