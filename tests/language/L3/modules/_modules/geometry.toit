// Imported by the module tests (not a test itself).
import .sub.helpers

area w h: return w * h
TAU ::= 6.28
describe-area w h: return "area $(area w h) (via $(helper-name))"
