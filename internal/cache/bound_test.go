package cache

import "testing"

func TestMakeRoom(t *testing.T) {
	m := map[int]bool{}
	for i := range 10 {
		MakeRoom(m, 8)
		m[i] = true
	}
	// The ninth value found 8 entries and left 4; the tenth found 5.
	if len(m) != 6 {
		t.Errorf("after 10 puts bounded at 8: %d entries; want 6", len(m))
	}
	small := map[int]bool{1: true}
	if MakeRoom(small, 8); len(small) != 1 {
		t.Error("MakeRoom dropped entries from a map below its bound")
	}
}
