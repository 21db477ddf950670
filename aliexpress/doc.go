// Package aliexpress is a client for the AliExpress Open Platform (the IOP gateway at
// api-sg.aliexpress.com): the Affiliate API, the Dropshipping (DS) API and the OAuth token API.
//
// A Client signs every request (sha256 by default, md5 and hmac on request), decodes every envelope
// family the platform answers with, and turns every failure into a typed error that works with
// errors.Is and errors.As:
//
//	c, err := aliexpress.NewClient(appKey, appSecret)
//	page, _, err := c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "phone case"})
//	if errors.Is(err, aliexpress.ErrRateLimited) { ... }
//
// Dropshipping methods act for a user and need that user's access token:
//
//	p, _, err := c.WithAccessToken(tok).DS.Product(ctx, 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "US"})
//
// The client never puts the app secret, an access token or a signature into an error message or a log line.
//
// Package aliexpress/sandbox is a faithful local simulator of the gateway for tests and offline use.
package aliexpress
