package aliexpress

// AffiliateService calls the Affiliate API (aliexpress.affiliate.*).
type AffiliateService service

// DSService calls the Dropshipping API (aliexpress.ds.*, aliexpress.trade.ds.*); every method acts
// for the user whose access token the client carries.
type DSService service

// OAuthService builds the authorization URL and calls the token APIs (/auth/token/*).
type OAuthService service
