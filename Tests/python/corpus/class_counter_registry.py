class Registry:
    items = []

    @classmethod
    def register(cls, item):
        cls.items.append(item)
        return item


@Registry.register
def relu(x):
    return max(0, x)


@Registry.register
def identity(x):
    return x


print([f.__name__ for f in Registry.items], [f(-2) for f in Registry.items])


def trace(func):
    def wrapper(*args, **kwargs):
        print('calling', func.__name__, args)
        return func(*args, **kwargs)
    return wrapper


@trace
def add(a, b):
    return a + b


print(add(2, 3))


class Stack:
    def __init__(self):
        self._items = []

    def push(self, x):
        self._items.append(x)

    def pop(self):
        if not self._items:
            raise IndexError('pop from empty stack')
        return self._items.pop()

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return len(self._items) > 0


s = Stack()
for ch in '([{':
    s.push(ch)
print(len(s), s.pop(), bool(s))
while s:
    s.pop()
try:
    s.pop()
except IndexError as e:
    print('IndexError:', e)


def balanced(text):
    pairs = {')': '(', ']': '[', '}': '{'}
    st = []
    for c in text:
        if c in '([{':
            st.append(c)
        elif c in pairs:
            if not st or st.pop() != pairs[c]:
                return False
    return not st


print(balanced('(a[b]{c})'), balanced('(]'), balanced('(('))
