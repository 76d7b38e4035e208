package shapes

import (
	"errors"
	"testing"
)

func TestOf(t *testing.T) {
	a, ok := Of([]string{"s1.example.com", "Bucket", "BucketPolicy"}, []byte(`group="s1.example.com", kind=~"Bucket|BucketPolicy"`))
	if !ok {
		t.Fatal("safe names refused")
	}
	for _, tc := range []struct {
		name    string
		names   []string
		content string
		same    bool
	}{
		{"other names, same shape", []string{"s2.example.com", "Queue", "QueuePolicy"}, `group="s2.example.com", kind=~"Queue|QueuePolicy"`, true},
		{"names of other lengths", []string{"group.io", "VeryLongKindName", "P"}, `group="group.io", kind=~"VeryLongKindName|P"`, true},
		{"names given in another role order", []string{"s2.example.com", "QueuePolicy", "Queue"}, `group="s2.example.com", kind=~"Queue|QueuePolicy"`, false},
		{"another structure", []string{"s2.example.com", "Queue", "QueuePolicy"}, `group="s2.example.com", kind="Queue|QueuePolicy"`, false},
		{"a name where the other has text", []string{"s2.example.com", "Queue", "QueuePolicy"}, `group="s2.example.com", kind=~"Queue|BucketPolicy"`, false},
	} {
		b, ok := Of(tc.names, []byte(tc.content))
		if !ok || (a == b) != tc.same {
			t.Errorf("%s: same shape %v, want %v", tc.name, a == b, tc.same)
		}
	}
	for _, bad := range []string{"", `a"b`, "a b", "a\\b", "ä"} {
		if _, ok := Of([]string{"ok.example.com", bad}, []byte("x")); ok {
			t.Errorf("name %q accepted", bad)
		}
	}
	// Content boundaries count: one file "ab" is not two files "a" and "b".
	x, _ := Of(nil, []byte("ab"))
	y, _ := Of(nil, []byte("a"), []byte("b"))
	if x == y {
		t.Error("content split differently, same shape")
	}
}

func TestCacheValidatesEachShapeOnce(t *testing.T) {
	var c Cache
	runs := 0
	ok := func() error { runs++; return nil }
	for _, g := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		if err := c.Validate([]string{g}, ok, []byte("group: "+g)); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Errorf("one shape validated %d times", runs)
	}
	// Unsafe names are validated every time; failures are not remembered.
	for range 2 {
		c.Validate([]string{`q"uote`}, ok, []byte("x"))
	}
	if runs != 3 {
		t.Errorf("content with an unsafe name validated %d times, want 2", runs-1)
	}
	fail := errors.New("bad")
	for range 2 {
		if err := c.Validate([]string{"d.example.com"}, func() error { runs++; return fail }, []byte("other: d.example.com")); err != fail {
			t.Errorf("got %v, want the validation error", err)
		}
	}
	if runs != 5 {
		t.Errorf("a failing shape was validated %d times, want 2", runs-3)
	}
}
