package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/sourcing"
	"github.com/aliscout/aliscout/internal/web"
)

// webConnections is the connected-accounts service as the web app knows it (web.Connections):
// the web package must not depend on the SDK, which package connect does. It turns the
// service's accounts and errors into the web's.
type webConnections struct {
	svc *connect.Service
	// returnToOrigin sends the browser back to the host the user opened aliscout at rather than
	// to the callback under the listen address: on the simulator with no ALISCOUT_PUBLIC_URL,
	// where localhost and 127.0.0.1 both reach serve but each has its own session cookie. The
	// real platform takes only the registered Callback URL.
	returnToOrigin bool
}

var _ web.Connections = webConnections{}

func (c webConnections) Begin(ctx context.Context, userID, sessionID int64, storeURL, origin string) (string, error) {
	u, err := c.svc.Begin(ctx, userID, sessionID, storeURL)
	if err != nil || !c.returnToOrigin || origin == "" {
		return u, webError(err)
	}
	auth, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("connect: the authorization URL: %w", err)
	}
	q := auth.Query()
	q.Set("redirect_uri", strings.TrimSuffix(origin, "/")+connect.CallbackPath)
	auth.RawQuery = q.Encode()
	return auth.String(), nil
}

func (c webConnections) Complete(ctx context.Context, userID, sessionID int64, code, state string) (web.ConnectedAccount, error) {
	a, err := c.svc.Complete(ctx, userID, sessionID, code, state)
	return webAccount(a), webError(err)
}

func (c webConnections) List(ctx context.Context, userID int64) ([]web.ConnectedAccount, error) {
	list, err := c.svc.List(ctx, userID)
	if err != nil {
		return nil, webError(err)
	}
	out := make([]web.ConnectedAccount, len(list))
	for i, a := range list {
		out[i] = webAccount(a)
	}
	return out, nil
}

func (c webConnections) SetDefault(ctx context.Context, userID, accountID int64) error {
	return webError(c.svc.SetDefault(ctx, userID, accountID))
}

func (c webConnections) Disconnect(ctx context.Context, userID, accountID int64) error {
	return webError(c.svc.Disconnect(ctx, userID, accountID))
}

func (c webConnections) SetStoreURL(ctx context.Context, userID, accountID int64, storeURL string) (web.ConnectedAccount, error) {
	a, err := c.svc.SetStoreURL(ctx, userID, accountID, storeURL)
	return webAccount(a), webError(err)
}

func (c webConnections) CallbackURL() string { return c.svc.CallbackURL() }

func webAccount(a connect.Account) web.ConnectedAccount {
	return web.ConnectedAccount{ID: a.ID, Nick: a.Nick, Email: a.Email, StoreURL: a.StoreURL, IsDefault: a.IsDefault,
		NeedsReconnect: a.NeedsReconnect, AccessExpiresAt: a.AccessExpiresAt, RefreshExpiresAt: a.RefreshExpiresAt,
		ReportState: a.ReportState, ReportMessage: a.ReportMessage, ReportedAt: a.ReportedAt, CreatedAt: a.CreatedAt}
}

// webError gives an error of the service the web's kind, keeping the service's text for the log:
// the state and code refusals, no such account, an ended authorization, a bad store URL (a
// field error), and the platform failing (in the catalog's words). Store failures pass as they
// are, which the web app reports as the database not answering.
func webError(err error) error {
	var ae *aliexpress.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, connect.ErrStateInvalid):
		return fmt.Errorf("%w (%w)", web.ErrConnectState, err)
	case errors.Is(err, connect.ErrCodeRefused):
		return fmt.Errorf("%w (%w)", web.ErrConnectCode, err)
	case errors.Is(err, connect.ErrNotConnected):
		return fmt.Errorf("%w (%w)", web.ErrNotConnected, err)
	case errors.Is(err, connect.ErrReconnect):
		return fmt.Errorf("%w (%w)", web.ErrReconnect, err)
	case errors.Is(err, connect.ErrInvalidStoreURL):
		return catalog.Invalid("store_url", "must be an http:// or https:// address, such as https://your-store.example")
	case errors.As(err, &ae):
		return sourcing.Translate(err)
	}
	return err
}

// userCatalog is web.Config.UserCatalog: the catalog acting as the user's default connected
// account, with that account's access token (refreshed first when it has ended, and renewed once
// when the platform refuses it). The token stays inside the view's client.
func userCatalog(conns *connect.Service, svc *sourcing.Service) func(ctx context.Context, userID int64) (web.Catalog, error) {
	return func(ctx context.Context, userID int64) (web.Catalog, error) {
		tok, acct, err := conns.AccessToken(ctx, userID, 0)
		if err != nil {
			return nil, webError(err)
		}
		renew := func(ctx context.Context, refused string) (string, error) {
			tok, _, err := conns.Renew(ctx, userID, acct.ID, refused)
			return tok, err
		}
		return svc.ForAccount(tok, accountKey(acct), renew), nil
	}
}

// gatewayOrigin is the origin of the gateway, where its /oauth/authorize page is.
func gatewayOrigin(gateway string) string {
	u, err := url.Parse(gateway)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// accountKey names an AliExpress account in cache keys: DS answers depend on the AliExpress
// account, whichever aliscout user connected it. It is a hash, so that a shared cache (Redis)
// holds no AliExpress user id.
func accountKey(a connect.Account) string {
	h := sha256.Sum256([]byte(a.AEUserID))
	return "ae-" + hex.EncodeToString(h[:12])
}
