n = 0
while True:
    n += 1
    if n % 2 == 0:
        continue
    if n > 7:
        break
    print('odd', n)
for i in range(3):
    for j in range(3):
        if j == 2:
            break
        print(i, j, end='; ')
print()
for x in [1, 3, 5]:
    if x % 2 == 0:
        print('found even')
        break
else:
    print('no even numbers')
k = 10
while k > 0:
    k -= 3
else:
    print('loop ended with k =', k)
balance, years = 1000.0, 0
while balance < 2000:
    balance *= 1.07
    years += 1
print(years, round(balance, 2))
print('a', 'b', sep='')
print('no newline', end='')
print(' continued')
print(1, 2, 3, sep=' | ', end='.\n')
