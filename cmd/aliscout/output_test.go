package main

import "testing"

func TestCleanKeepsTerminalSafe(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Phone Case", 0, "Phone Case"},
		{"\x1b[31mred\x1b[0m title", 0, "[31mred[0m title"}, // no escape byte reaches the terminal
		{"\u202eesac enohp", 0, "esac enohp"},               // bidi override dropped
		{"a\u2066b\u2069c\u200bd", 0, "abcd"},               // isolates and zero-width space dropped
		{"line1\nline2\ttab\rcr", 0, "line1 line2 tab cr"},  // no line breaks inside a table cell
		{"\x07bell\x00nul", 0, "bellnul"},                   // other controls dropped
		{"abcdefghij", 5, "abcd…"},
		{"耳机耳机耳机", 4, "耳机耳…"},
	}
	for _, tt := range tests {
		if got := clean(tt.in, tt.max); got != tt.want {
			t.Errorf("clean(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
