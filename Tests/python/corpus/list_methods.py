xs = [5, 2, 8, 1]
xs.append(7)
xs.extend([3, 3])
xs.insert(0, 9)
print(xs, len(xs), xs.count(3), xs.index(8))
print(xs.pop(), xs.pop(0), xs)
xs.remove(3)
print(xs)
xs.sort()
print(xs)
xs.sort(reverse=True)
print(xs)
names = ['bob', 'Alice', 'carol', 'dave']
print(sorted(names), sorted(names, key=str.lower), sorted(names, key=len, reverse=True))
pairs = [(2, 'b'), (1, 'z'), (2, 'a'), (1, 'a')]
pairs.sort(key=lambda p: p[0])
print(pairs)
nums = list(range(10))
print(nums[2:5], nums[::3], nums[::-1], nums[-3:], nums[:-7], nums[8:2:-2], nums[100:])
nums[1:3] = ['a', 'b', 'c']
print(nums)
nums[::2] = [0] * 6
print(nums)
del nums[0]
del nums[-2:]
print(nums)
grid = [[0] * 3 for _ in range(2)]
grid[0][1] = 5
print(grid)
alias = [[0] * 2] * 2
alias[0][0] = 1
print(alias)
ys = [1, 2, 3]
zs = ys
zs += [4]
print(ys, ys is zs)
ys = ys + [5]
print(ys, zs)
copy = ys[:]
copy.reverse()
print(ys, copy, [1, 2] * 2, [x for x in ys if x % 2], 3 in ys, [] == [], [1, 2] < [1, 3])
print(list(enumerate('ab', start=1)), list(zip([1, 2, 3], 'xy')), list(map(str, [1, 2])), list(filter(None, [0, 1, '', 'a'])))
