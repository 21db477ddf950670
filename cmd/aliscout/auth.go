package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// tokenFile is where `aliscout auth` keeps the dropshipping token, readable by its owner only.
const tokenFile = "dropshipping-token.json"

// savedToken is the token file's content.
type savedToken struct {
	AccessToken      string    `json:"access_token"`
	RefreshToken     string    `json:"refresh_token"`
	ExpiresAt        time.Time `json:"expires_at"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	UserNick         string    `json:"user_nick"`
	Gateway          string    `json:"gateway"`
}

// runAuth walks the OAuth flow: it prints the authorize URL, takes the code AliExpress hands back
// (from --code or standard input), creates the token and saves it; --refresh renews the saved one.
func runAuth(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "auth", "[flags]")
	redirect := fs.String("redirect-uri", "http://127.0.0.1:8080/auth/callback", "the callback URL registered for the app in the App Console")
	code := fs.String("code", "", "the authorization code (default: read from standard input)")
	refresh := fs.Bool("refresh", false, "renew the saved token with its refresh token")
	refreshToken := fs.String("refresh-token", "", "renew this refresh token instead of the saved one")
	dataDir := fs.String("data", "", "where the token is saved (default the aliscout data directory)")
	printToken := fs.Bool("print", false, "also print the access token (for scripts); keep it secret")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dataDir != "" {
		e.cfg.DataDir = *dataDir
	}
	if err := e.cfg.ResolveDataDir(e.getenv); err != nil {
		return err
	}
	path := filepath.Join(e.cfg.DataDir, tokenFile)
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()

	// The in-process simulator ends with this command, so a token it issues is of no use later.
	ephemeral := b.simulated && e.cfg.Gateway == ""
	var tok *aliexpress.Token
	if *refresh || *refreshToken != "" {
		if ephemeral {
			return fmt.Errorf("%w: the built-in simulator lives only while one command runs, so it has no token to refresh: "+
				"run `aliscout sandbox` in another terminal and use --gateway with it", errUsage)
		}
		rt := *refreshToken
		if rt == "" {
			saved, err := loadToken(path)
			if err != nil {
				return fmt.Errorf("no saved token to refresh (%v): run `aliscout auth` first", err)
			}
			// A refresh token goes back only to the gateway that issued it.
			if saved.Gateway != b.client.Gateway() {
				return fmt.Errorf("%w: the saved token was issued by %s, not %s: pass --gateway %s to refresh it",
					errUsage, redactURL(saved.Gateway), redactURL(b.client.Gateway()), redactURL(saved.Gateway))
			}
			rt = saved.RefreshToken
		}
		tok, _, err = b.client.OAuth.RefreshToken(ctx, rt)
		if err != nil {
			return err
		}
	} else {
		if _, err := url.ParseRequestURI(*redirect); err != nil {
			return fmt.Errorf("%w: --redirect-uri %q is not a URL", errUsage, *redirect)
		}
		c := codeFrom(*code)
		if c == "" {
			fmt.Fprintln(e.stdout, "1. Open this URL in a browser and approve aliscout:")
			fmt.Fprintln(e.stdout, "  ", b.client.OAuth.AuthorizeURL(*redirect, "aliscout"))
			fmt.Fprintln(e.stdout, "2. AliExpress sends the browser to the callback URL with ?code=...; paste that code (or the whole URL) here:")
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("%w: no authorization code given", errUsage)
			}
			c = codeFrom(line)
		}
		if c == "" {
			return fmt.Errorf("%w: no authorization code given", errUsage)
		}
		tok, _, err = b.client.OAuth.CreateToken(ctx, c)
		if err != nil {
			return err
		}
	}
	if ephemeral {
		fmt.Fprintf(e.stdout, "authorized %s on the built-in simulator; access token expires %s\n", clean(orDash(tok.UserNick), 60),
			tok.ExpiresAt.Local().Format(time.RFC1123))
		fmt.Fprintln(e.stdout, "the simulator ends with this command, so the token was not saved; to keep one, run `aliscout sandbox` and use --gateway")
		return nil
	}
	if err := saveToken(path, savedToken{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt,
		RefreshExpiresAt: tok.RefreshExpiresAt, UserNick: tok.UserNick, Gateway: b.client.Gateway()}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "authorized %s\n", clean(orDash(tok.UserNick), 60))
	fmt.Fprintf(e.stdout, "access token expires  %s (in %s)\n", tok.ExpiresAt.Local().Format(time.RFC1123), until(tok.ExpiresAt))
	fmt.Fprintf(e.stdout, "refresh token expires %s (in %s); renew before then with: aliscout auth --refresh\n",
		tok.RefreshExpiresAt.Local().Format(time.RFC1123), until(tok.RefreshExpiresAt))
	fmt.Fprintf(e.stdout, "saved to %s\n", path)
	if *printToken {
		fmt.Fprintln(e.stdout, "access token:", tok.AccessToken)
	}
	return nil
}

// codeFrom takes the code from a pasted line: the code itself or the whole callback URL.
func codeFrom(line string) string {
	line = strings.TrimSpace(line)
	if u, err := url.Parse(line); err == nil && u.Scheme != "" {
		if c := u.Query().Get("code"); c != "" {
			return c
		}
	}
	return line
}

func until(t time.Time) string {
	d := time.Until(t).Round(time.Minute)
	if d < 0 {
		return "the past"
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return d.String()
}

func saveToken(path string, t savedToken) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

func loadToken(path string) (savedToken, error) {
	var t savedToken
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return t, fmt.Errorf("%s does not exist", path)
		}
		return t, err
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("%s is not a token file: %w", path, err)
	}
	return t, nil
}
