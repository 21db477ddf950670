package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Simulated() || c.Addr != DefaultAddr || c.SignMethod != "sha256" || c.LogFormat != "text" {
		t.Errorf("FromEnv(empty) = %+v; want simulated, %s, sha256, text", c, DefaultAddr)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate(defaults) = %v; want nil", err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvAppKey: "123"}, EnvAppSecret},
		{map[string]string{EnvAppSecret: "s"}, EnvAppKey},
		{map[string]string{EnvGateway: "ftp://x"}, "gateway"},
		{map[string]string{EnvSignMethod: "sha1"}, EnvSignMethod},
		{map[string]string{EnvLogFormat: "xml"}, EnvLogFormat},
		{map[string]string{EnvRedisURL: "http://x"}, EnvRedisURL},
		{map[string]string{EnvPublicURL: "scout.example.com"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "ftp://scout.example.com"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://scout.example.com/aliscout"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://scout.example.com/?x=1"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://scout.example.com#top"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://user:pw@scout.example.com"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://:8080"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "https://scout.example.com:99999"}, EnvPublicURL},
		{map[string]string{EnvPublicURL: "/relative"}, EnvPublicURL},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(tt.env))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("config from %v: error = %v; want one naming %s", tt.env, err, tt.want)
		}
	}
	for _, tt := range []map[string]string{{EnvDailyBudget: "lots"}, {EnvLogLevel: "loud"}} {
		if _, err := FromEnv(env(tt)); err == nil {
			t.Errorf("FromEnv(%v) error = nil; want an error", tt)
		}
	}
}

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://scout.example.com":       "https://scout.example.com",
		"https://Scout.Example.com/":      "https://scout.example.com",
		"http://10.0.0.5:8080":            "http://10.0.0.5:8080",
		"http://[2001:db8::1]:8080":       "http://[2001:db8::1]:8080",
		"https://scout.example.com:8443/": "https://scout.example.com:8443",
	} {
		c, err := FromEnv(env(map[string]string{EnvPublicURL: in}))
		if err == nil {
			err = c.Validate()
		}
		if err != nil || c.PublicURL != strings.TrimRight(in, "/") {
			t.Errorf("config from %s=%q: %v, PublicURL %q; want it kept without a trailing slash", EnvPublicURL, in, err, c.PublicURL)
			continue
		}
		if o, err := PublicOrigin(in); err != nil || o.String() != want {
			t.Errorf("PublicOrigin(%q) = %v, %v; want %s", in, o, err, want)
		}
	}
	c := Config{PublicURL: "https://user:hunter2@scout.example.com", SignMethod: "sha256", LogFormat: "text"}
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate() = %v; want an error without the password", err)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	const value = "s3cr3tKeyForTests"
	c := Config{AppKey: "500123", AppSecret: value, AccessToken: "tok-value-123"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "secret", c.AppSecret, "token", c.AccessToken)
	j, _ := json.Marshal(c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(j), logs.String()} {
		if strings.Contains(s, value) || strings.Contains(s, "tok-value-123") {
			t.Errorf("secret printed: %s", s)
		}
	}
	if c.AppSecret.Reveal() != value {
		t.Errorf("Reveal() = %q; want the value", c.AppSecret.Reveal())
	}
	if Secret("").String() != "" {
		t.Error(`Secret("").String() should be empty so that "not set" shows`)
	}
}

func TestGatewayErrorHidesCredentials(t *testing.T) {
	c := Config{Gateway: "ftp://user:hunter2@example.com/x?sig=abc", SignMethod: "sha256", LogFormat: "text"}
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "sig=abc") {
		t.Errorf("Validate() = %v; want an error without credentials or query", err)
	}
}

func TestAccountsAndMailEnv(t *testing.T) {
	vars := map[string]string{
		EnvSecretKey: "a2V5", EnvPublicURL: "https://aliscout.example/", EnvSMTPURL: "smtp://u:pw-s3cret@mail.example:587",
		EnvMailFrom: "noreply@aliscout.example",
	}
	c, err := FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey.Reveal() != "a2V5" || c.PublicURL != "https://aliscout.example" || c.MailFrom != "noreply@aliscout.example" {
		t.Errorf("FromEnv = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	for _, tc := range []struct {
		key, value, want string
	}{
		{EnvMailFrom, "", EnvMailFrom},
		{EnvSMTPURL, "http://mail.example", EnvSMTPURL},
		{EnvPublicURL, "aliscout.example", EnvPublicURL},
	} {
		bad := map[string]string{}
		for k, v := range vars {
			bad[k] = v
		}
		bad[tc.key] = tc.value
		c, _ := FromEnv(func(k string) string { return bad[k] })
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw-s3cret") {
			t.Errorf("Validate with %s=%q = %v; want an error naming %s without the password", tc.key, tc.value, err, tc.want)
		}
	}
}

func TestQuotaShares(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := FromEnv(env(nil))
	if err != nil || c.UserShare != 0 || c.QuotaReserve != 20 {
		t.Errorf("FromEnv() = share %d, reserve %d, %v; want 0 (equal shares), 20", c.UserShare, c.QuotaReserve, err)
	}
	c, err = FromEnv(env(map[string]string{EnvUserShare: "500", EnvQuotaReserve: "10%"}))
	if err != nil || c.UserShare != 500 || c.QuotaReserve != 10 {
		t.Errorf("FromEnv(500, 10%%) = share %d, reserve %d, %v; want 500, 10", c.UserShare, c.QuotaReserve, err)
	}
	for _, bad := range []map[string]string{{EnvUserShare: "lots"}, {EnvUserShare: "-1"}, {EnvQuotaReserve: "120"}} {
		if _, err := FromEnv(env(bad)); err == nil {
			t.Errorf("FromEnv(%v) = nil error; want one naming the variable", bad)
		} else {
			for k := range bad {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("FromEnv(%v) = %v; want it to name %s", bad, err, k)
				}
			}
		}
	}
}

func TestCacheMemory(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.CacheMemory != DefaultCacheMemory {
		t.Errorf("FromEnv() = cache memory %d, %v; want %d", c.CacheMemory, err, DefaultCacheMemory)
	}
	for in, want := range map[string]uint64{"64MiB": 64 << 20, " 1GiB ": 1 << 30, "1048576": 1 << 20} {
		c, err := FromEnv(env(map[string]string{EnvCacheMemory: in}))
		if err != nil || c.CacheMemory != want {
			t.Errorf("FromEnv(%s=%q) = %d, %v; want %d", EnvCacheMemory, in, c.CacheMemory, err, want)
		}
	}
	for _, bad := range []string{"0", "512KiB", "256MB", "lots", "17GiB"} {
		_, err := FromEnv(env(map[string]string{EnvCacheMemory: bad}))
		if err == nil || !strings.Contains(err.Error(), EnvCacheMemory) || !strings.Contains(err.Error(), "MiB") || strings.Contains(err.Error(), "0 for none") {
			t.Errorf("FromEnv(%s=%q) = %v; want an error naming the variable and an example", EnvCacheMemory, bad, err)
		}
	}
}

func TestHeapFloor(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.HeapFloor != DefaultHeapFloor || c.HeapFloorIgnored {
		t.Errorf("FromEnv() = floor %d, ignored %v, %v; want %d, false", c.HeapFloor, c.HeapFloorIgnored, err, DefaultHeapFloor)
	}
	for in, want := range map[string]uint64{"0": 0, "32MiB": 32 << 20, " 1GiB ": 1 << 30, "65536": 65536, "512KiB": 512 << 10, "16GiB": 16 << 30} {
		c, err := FromEnv(env(map[string]string{EnvHeapFloor: in}))
		if err != nil || c.HeapFloor != want {
			t.Errorf("FromEnv(%s=%q) = %d, %v; want %d", EnvHeapFloor, in, c.HeapFloor, err, want)
		}
	}
	for _, bad := range []string{"64MB", "64 MiB", "lots", "-1MiB", "17GiB", "1TiB", "MiB"} {
		_, err := FromEnv(env(map[string]string{EnvHeapFloor: bad}))
		if err == nil || !strings.Contains(err.Error(), EnvHeapFloor) || !strings.Contains(err.Error(), "64MiB") || !strings.Contains(err.Error(), "0 for none") {
			t.Errorf("FromEnv(%s=%q) = %v; want an error naming the variable and an example", EnvHeapFloor, bad, err)
		}
	}
	c, err = FromEnv(env(map[string]string{"GOGC": "200", EnvHeapFloor: "32MiB"}))
	if err != nil || !c.HeapFloorIgnored {
		t.Errorf("FromEnv(GOGC=200) = ignored %v, %v; want the operator's GOGC to stand", c.HeapFloorIgnored, err)
	}
}
