class Dog:
    species = "canis familiaris"
    count = 0

    def __init__(self, name, age):
        self.name = name
        self.age = age
        Dog.count += 1

    def description(self):
        return f"{self.name} is {self.age} years old"

    def speak(self, sound="Woof"):
        return f"{self.name} says {sound}"

    def __repr__(self):
        return f"Dog({self.name!r}, {self.age})"

    def __str__(self):
        return f"Dog named {self.name}"


a = Dog("Rex", 4)
b = Dog("Fido", 2)
print(a.description(), b.speak(), b.speak("Arf"))
print(a, [a, b], repr(b), str(b))
print(Dog.count, a.species, Dog.species, a.count)
a.age += 1
print(a.age, b.age)
a.species = "wolf"
print(a.species, b.species, Dog.species)
print(type(a).__name__, isinstance(a, Dog), hasattr(a, 'name'), getattr(a, 'color', 'brown'))
setattr(b, 'color', 'white')
print(b.color)


class Temperature:
    def __init__(self, celsius):
        self._celsius = celsius

    @property
    def fahrenheit(self):
        return self._celsius * 9 / 5 + 32

    @staticmethod
    def freezing():
        return 0

    @classmethod
    def from_f(cls, f):
        return cls((f - 32) * 5 / 9)


t = Temperature(100)
print(t.fahrenheit, Temperature.freezing(), Temperature.from_f(212)._celsius)


class Empty:
    pass


e = Empty()
e.x = 1
print(e.x, vars(e))
