// Package pyjson reads and writes JSON the way Python's json module does, so that files
// jdash writes for Jupyter are byte for byte what Jupyter's own config managers write:
// object keys keep their order (a repeated key keeps its first position and last value),
// floats print as Python's repr, strings are ASCII-escaped, and json.dumps(indent=2)
// layout is reproduced exactly.
package pyjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind is a JSON value's type.
type Kind int

const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Array
	Object
)

// Value is one JSON value. Int keeps its digits (Python ints are unbounded).
type Value struct {
	Kind  Kind
	Bool  bool
	Int   string
	Float float64
	Str   string
	Arr   []*Value
	Obj   *Obj
}

// Obj is an ordered JSON object.
type Obj struct {
	keys []string
	vals map[string]*Value
}

// NewObj returns an empty object.
func NewObj() *Obj { return &Obj{vals: map[string]*Value{}} }

// Keys returns the keys in order.
func (o *Obj) Keys() []string { return append([]string(nil), o.keys...) }

// Len is the number of keys.
func (o *Obj) Len() int { return len(o.keys) }

// Get returns the value of k, or nil.
func (o *Obj) Get(k string) *Value { return o.vals[k] }

// Set sets k, keeping its position when it exists (Python dict semantics).
func (o *Obj) Set(k string, v *Value) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// Delete removes k.
func (o *Obj) Delete(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// Clone is a deep copy.
func (v *Value) Clone() *Value {
	if v == nil {
		return nil
	}
	c := *v
	switch v.Kind {
	case Array:
		c.Arr = make([]*Value, len(v.Arr))
		for i, x := range v.Arr {
			c.Arr[i] = x.Clone()
		}
	case Object:
		c.Obj = v.Obj.Clone()
	}
	return &c
}

// Clone is a deep copy.
func (o *Obj) Clone() *Obj {
	c := NewObj()
	for _, k := range o.keys {
		c.Set(k, o.vals[k].Clone())
	}
	return c
}

// Constructors.
func NullValue() *Value              { return &Value{Kind: Null} }
func BoolValue(b bool) *Value        { return &Value{Kind: Bool, Bool: b} }
func StringValue(s string) *Value    { return &Value{Kind: String, Str: s} }
func IntValue(i int64) *Value        { return &Value{Kind: Int, Int: strconv.FormatInt(i, 10)} }
func ObjValue(o *Obj) *Value         { return &Value{Kind: Object, Obj: o} }
func ArrayValue(vs ...*Value) *Value { return &Value{Kind: Array, Arr: vs} }

// Equal is Python's == on the decoded values (1 == 1.0, key order ignored).
func Equal(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	num := func(v *Value) (float64, bool) {
		switch v.Kind {
		case Int:
			f, err := strconv.ParseFloat(v.Int, 64)
			return f, err == nil
		case Float:
			return v.Float, true
		case Bool: // True == 1 in Python
			if v.Bool {
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if fa, ok := num(a); ok {
		if fb, ok := num(b); ok {
			if a.Kind == Int && b.Kind == Int {
				return a.Int == b.Int
			}
			return fa == fb
		}
		return false
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Null:
		return true
	case String:
		return a.Str == b.Str
	case Array:
		if len(a.Arr) != len(b.Arr) {
			return false
		}
		for i := range a.Arr {
			if !Equal(a.Arr[i], b.Arr[i]) {
				return false
			}
		}
		return true
	case Object:
		if a.Obj.Len() != b.Obj.Len() {
			return false
		}
		for _, k := range a.Obj.keys {
			bv := b.Obj.Get(k)
			if bv == nil || !Equal(a.Obj.vals[k], bv) {
				return false
			}
		}
		return true
	}
	return false
}

// pyFloatRepr is Python's repr(float).
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	// Shortest round-tripping digits and decimal exponent.
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	sign := ""
	if neg {
		sign = "-"
	}
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	// Fixed notation: the point goes after exp+1 digits.
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}
