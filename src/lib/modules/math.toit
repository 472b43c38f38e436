// The math module: `import math`, then `math.sqrt 2`. Every function takes
// an int or a float and returns a float.

PI ::= 3.141592653589793
E ::= 2.718281828459045

sqrt x/num -> float: return __prim__ "math.unary" 0 x.to-float
sin x/num -> float: return __prim__ "math.unary" 1 x.to-float
cos x/num -> float: return __prim__ "math.unary" 2 x.to-float
tan x/num -> float: return __prim__ "math.unary" 3 x.to-float
asin x/num -> float: return __prim__ "math.unary" 4 x.to-float
acos x/num -> float: return __prim__ "math.unary" 5 x.to-float
atan x/num -> float: return __prim__ "math.unary" 6 x.to-float
sinh x/num -> float: return __prim__ "math.unary" 7 x.to-float
cosh x/num -> float: return __prim__ "math.unary" 8 x.to-float
tanh x/num -> float: return __prim__ "math.unary" 9 x.to-float
exp x/num -> float: return __prim__ "math.unary" 10 x.to-float
log x/num -> float: return __prim__ "math.unary" 11 x.to-float
log x/num base/num -> float: return (log x) / (log base)
pow x/num y/num -> float: return __prim__ "math.binary" 0 x.to-float y.to-float
atan2 y/num x/num -> float: return __prim__ "math.binary" 1 y.to-float x.to-float
