def is_palindrome(s):
    cleaned = ''.join(ch.lower() for ch in s if ch.isalnum())
    return cleaned == cleaned[::-1]


def anagrams(words):
    groups = {}
    for w in words:
        groups.setdefault(''.join(sorted(w)), []).append(w)
    return [g for g in groups.values() if len(g) > 1]


def caesar(text, shift):
    out = []
    for ch in text:
        if ch.isalpha():
            base = ord('A') if ch.isupper() else ord('a')
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return ''.join(out)


print(is_palindrome("A man, a plan, a canal: Panama"), is_palindrome("hello"))
print(anagrams(["listen", "silent", "enlist", "google", "gooegl", "cat"]))
secret = caesar("Hello, World!", 3)
print(secret, caesar(secret, -3))
scores = {'ann': [90, 85, 77], 'bob': [60, 75, 80], 'cy': [88, 92, 95]}
for name, marks in sorted(scores.items(), key=lambda kv: -sum(kv[1]) / len(kv[1])):
    avg = sum(marks) / len(marks)
    grade = 'A' if avg >= 90 else 'B' if avg >= 80 else 'C'
    print(f"{name:>4}: {avg:6.2f} {grade} {'*' * int(avg // 10)}")
vowels = sum(1 for ch in "education" if ch in "aeiou")
print(vowels, "education".upper().count("A"), "  spaced  out ".split(), " ".join(reversed("one two three".split())))
