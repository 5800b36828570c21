loss = 0.123456
epoch = 7
print("epoch %d loss %.4f" % (epoch, loss))
print("%5d|%-5d|%05d|%+d" % (42, 42, 42, 42))
print("%s and %r" % ('text', 'text'))
print("%.2e %g %G %f" % (12345.678, 0.0001, 1e-10, 1.5))
print("%x %X %o %%" % (255, 255, 8))
print("%(name)s scored %(score).1f" % {'name': 'Kim', 'score': 91.25})
print("%d%%" % 50, "%s" % [1, 2], "%s" % (3,))
print("%10.3f|%-10.3f|" % (3.14159, 3.14159))
print("%c%c" % (72, 'i'), "%d" % 3.9, "%i" % -2.5)
