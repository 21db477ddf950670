package cache

import (
	"testing"
	"time"
)

func TestRedisStoreTTLAndPrefix(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	tests := []struct {
		key     string
		keepFor time.Duration
		want    time.Duration // Redis PTTL; -1 means none
	}{
		{"hour", time.Hour, time.Hour},
		{"odd", 1500 * time.Millisecond, 1500 * time.Millisecond},
		{"forever", 0, -1},
		{"negative", -time.Second, -1},
	}
	for _, tt := range tests {
		if err := s.Set(ctx, tt.key, Entry{Value: []byte("v"), StoredAt: time.Now()}, tt.keepFor); err != nil {
			t.Fatalf("Set(%s) = %v", tt.key, err)
		}
		got, err := client.PTTL(ctx, prefix+tt.key).Result()
		if err != nil {
			t.Fatalf("PTTL %s%s: %v", prefix, tt.key, err)
		}
		if tt.want < 0 {
			if got >= 0 {
				t.Errorf("Set(%s, keepFor %v): Redis TTL = %v; want none", tt.key, tt.keepFor, got)
			}
			continue
		}
		if got <= 0 || got > tt.want || got < tt.want-time.Minute {
			t.Errorf("Set(%s, keepFor %v): Redis TTL = %v; want about %v", tt.key, tt.keepFor, got, tt.want)
		}
	}
}

func TestRedisStoreValueFormat(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	at := time.Date(2025, 3, 14, 9, 26, 53, 5, time.UTC)
	s.Set(ctx, "k", Entry{Value: []byte(`{"id":1}`), StoredAt: at}, time.Hour)
	raw, err := client.Get(ctx, prefix+"k").Result()
	if want := "aliscout1 2025-03-14T09:26:53.000000005Z\n{\"id\":1}"; err != nil || raw != want {
		t.Errorf("GET %sk = %q, %v; want %q", prefix, raw, err, want)
	}
}

func TestRedisStoreUnreadableValue(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	for _, raw := range []string{
		`{"written":"by something else"}`,
		"aliscout1 no newline",
		"aliscout1 yesterday\n{}",
	} {
		client.Set(ctx, prefix+"k", raw, time.Minute)
		if _, ok, err := s.Get(ctx, "k"); err == nil || ok {
			t.Errorf("Get of %q = %v, %v; want an error", raw, ok, err)
		}
	}
}

func TestRedisStoreDown(t *testing.T) {
	s := NewRedisStore(unreachableRedis(t), RedisOptions{})
	if _, _, err := s.Get(t.Context(), "k"); err == nil {
		t.Errorf("Get on an unreachable Redis = nil error; want one")
	}
	if err := s.Set(t.Context(), "k", Entry{}, time.Minute); err == nil {
		t.Errorf("Set on an unreachable Redis = nil error; want one")
	}
}
