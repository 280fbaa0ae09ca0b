/// TOML documents for the differential test, written for this project from the TOML 1.0
/// specification's rules: valid ones covering every kind of value and table, and invalid ones
/// for each rule a parser must enforce. Python's tomllib decides what each should give.
enum TOMLSamples {
    static let valid: [String] = [
        // Keys
        "key = \"value\"\nbare_key = 1\nbare-key = 2\n1234 = 3\n",
        "\"127.0.0.1\" = \"v\"\n\"character encoding\" = \"v\"\n\"ʎǝʞ\" = \"v\"\n'key2' = \"v\"\n'quoted \"value\"' = \"v\"\n",
        "\"\" = \"blank\"\n",
        "name = \"Orange\"\nphysical.color = \"orange\"\nphysical.shape = \"round\"\nsite.\"google.com\" = true\n",
        "fruit.name = \"banana\"\nfruit. color = \"yellow\"\nfruit . flavor = \"banana\"\n",
        "apple.type = \"fruit\"\norange.type = \"fruit\"\napple.skin = \"thin\"\norange.skin = \"thick\"\n",
        "3.14159 = \"pi\"\n",
        "a.b.c = 1\na.d = 2\n",
        // Strings
        "str = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"\n",
        "e = \"\\b\\t\\n\\f\\r\\\"\\\\ \\u0041 \\U0001F600\"\n",
        "str1 = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n",
        "str2 = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\n",
        "str3 = \"\"\"\\\n       The quick brown \\\n       fox jumps over \\\n       the lazy dog.\\\n       \"\"\"\n",
        "str4 = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"\nstr5 = \"\"\"Here are three quotation marks: \"\"\\\".\"\"\"\nstr7 = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n",
        "winpath = 'C:\\Users\\nodejs\\templates'\nquoted = 'Tom \"Dubs\" Preston-Werner'\nregex = '<\\i\\c*\\s*>'\n",
        "regex2 = '''I [dw]on't need \\d{2} apples'''\nlines = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n'''\n",
        "quot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\napos15 = \"Here are fifteen apostrophes: '''''''''''''''\"\nstr = ''''That,' she said, 'is still pointless.''''\n",
        "tab = \"a\tb\"\nlit = 'a\tb'\n",
        "unicode = \"Jos\u{E9} 😀 \u{4E2D}\u{6587}\"\n",
        "ml = \"\"\"a\"\"\"\"\nml2 = '''b''''\n",
        // Integers
        "int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\nint5 = 1_000\nint6 = 5_349_221\nint7 = 53_49_221\nint8 = 1_2_3_4_5\n",
        "hex1 = 0xDEADBEEF\nhex2 = 0xdeadbeef\nhex3 = 0xdead_beef\noct1 = 0o01234567\noct2 = 0o755\nbin1 = 0b11010110\n",
        "max = 9223372036854775807\nmin = -9223372036854775808\nzero = -0\npzero = +0\n",
        // Floats
        "flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\nflt5 = 1e06\nflt6 = -2E-2\nflt7 = 6.626e-34\nflt8 = 224_617.445_991_228\n",
        "sf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\nsf5 = +nan\nsf6 = -nan\nnz = -0.0\npz = +0.0\nbig = 1e400\n",
        "f = 1_0.0_1e1_0\ng = 0.0\nh = 0e0\ni = 1E5\n",
        // Booleans
        "bool1 = true\nbool2 = false\n",
        // Dates and times
        "odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00-07:00\nodt3 = 1979-05-27T00:32:00.999999-07:00\nodt4 = 1979-05-27 07:32:00Z\n",
        "ldt1 = 1979-05-27T07:32:00\nldt2 = 1979-05-27T00:32:00.999999\nld1 = 1979-05-27\nlt1 = 07:32:00\nlt2 = 00:32:00.999999\n",
        "lower = 1979-05-27t07:32:00z\nfrac = 1979-05-27T00:32:00.1234567+05:30\nleap = 2000-02-29\nshort = 07:32:00.5\n",
        "plus = 2024-03-10T02:30:00+14:00\nminus = 2024-03-10T02:30:00-12:00\n",
        // Arrays
        "integers = [ 1, 2, 3 ]\ncolors = [ \"red\", \"yellow\", \"green\" ]\nnested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]\nnested_mixed_array = [ [ 1, 2 ], [\"a\", \"b\", \"c\"] ]\nstring_array = [ \"all\", 'strings', \"\"\"are the same\"\"\", '''type''' ]\n",
        "numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\ncontributors = [\n  \"Foo Bar <foo@example.com>\",\n  { name = \"Baz Qux\", email = \"bazqux@example.com\", url = \"https://example.com/bazqux\" }\n]\n",
        "integers2 = [\n  1, 2, 3\n]\nintegers3 = [\n  1,\n  2, # this is ok\n]\nempty = []\nempty2 = [ # c\n]\n",
        "deep = [[[[[[[[[[1]]]]]]]]]]\n",
        // Inline tables
        "name = { first = \"Tom\", last = \"Preston-Werner\" }\npoint = { x = 1, y = 2 }\nanimal = { type.name = \"pug\" }\nempty = {}\n",
        "nested = { a = { b = { c = 1 } }, d = [ { e = 1 } ] }\n",
        "t = { a.b = 1, a.c = 2 }\n",
        // Tables
        "[table]\n\n[table-1]\nkey1 = \"some string\"\nkey2 = 123\n\n[table-2]\nkey1 = \"another string\"\nkey2 = 456\n",
        "[dog.\"tater.man\"]\ntype.name = \"pug\"\n",
        "[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"ʞ\" . 'l' ]\n",
        "[x.y.z.w]\n[x]\n",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n",
        "[[products]]\nname = \"Hammer\"\nsku = 738594937\n\n[[products]]\n\n[[products]]\nname = \"Nail\"\nsku = 284758393\ncolor = \"gray\"\n",
        "[[fruits]]\nname = \"apple\"\n\n[fruits.physical]\ncolor = \"red\"\nshape = \"round\"\n\n[[fruits.varieties]]\nname = \"red delicious\"\n\n[[fruits.varieties]]\nname = \"granny smith\"\n\n[[fruits]]\nname = \"banana\"\n\n[[fruits.varieties]]\nname = \"plantain\"\n",
        "points = [ { x = 1, y = 2, z = 3 },\n           { x = 7, y = 8, z = 9 },\n           { x = 2, y = 4, z = 8 } ]\n",
        "[a]\nb.c = 1\n[a.d]\ne = 2\n",
        "[[a.b]]\n[a]\nc = 1\n",
        // Comments, white space, line ends
        "# This is a full-line comment\nkey = \"value\"  # This is a comment at the end of a line\nanother = \"# This is not a comment\"\n",
        "\n\n   \t\n# only comments\n#\n",
        "",
        "a = 1\r\nb = \"x\"\r\n[t]\r\nc = [\r\n 1,\r\n]\r\n",
        "key = \"value\"",
        "a = 1 # comment with ü and 😀 and \t tab\n",
        "a = 1 # a comment ends at CRLF\r\n",
    ]

    static let invalid: [String] = [
        // Keys
        "key = # INVALID\n", "= \"no key name\"\n", "\"\"\"key\"\"\" = \"v\"\n", "first = \"Tom\" last = \"Preston-Werner\"\n",
        "name = \"Tom\"\nname = \"Pradyun\"\n", "spelling = \"favorite\"\n\"spelling\" = \"favourite\"\n",
        "fruit.apple = 1\nfruit.apple.smooth = true\n", "a.b = 1\na = 2\n", "key\n= 1\n", "ke y = 1\n", "a. = 1\n", ".a = 1\n", "a = 1\n=\n",
        "key = value\n", "a = \"b\" c = 1\n", "é = 1\n",
        // Strings
        "s = \"unterminated\n", "s = 'unterminated\n", "s = \"\"\"unterminated\n", "s = '''unterminated\n",
        "s = \"bad \\x escape\"\n", "s = \"bad \\u00G0\"\n", "s = \"surrogate \\uD800\"\n", "s = \"too big \\U00110000\"\n",
        "s = \"a\nb\"\n", "s = 'a\nb'\n", "s = \"nul \u{0} here\"\n", "s = \"del \u{7F}\"\n", "s = \"\"\"ml \u{1} ctl\"\"\"\n",
        "s = \"\"\"a \\ b\"\"\"\n", "s = '''a''''''\n", "s = \"\"\"a\"\"\"\"\"\"\n",
        // Numbers
        "i = 012\n", "i = +012\n", "i = 1_\n", "i = _1\n", "i = 1__0\n", "i = 0x_1\n", "i = +0x1\n", "i = 0xG\n", "i = 0o8\n", "i = 0b2\n",
        "i = 0X1\n", "i = 1e\n", "f = 1.\n", "f = .5\n", "f = 1.e5\n", "f = 1e_5\n", "f = 1.5_\n", "f = 03.14\n", "f = infinity\n", "f = NaN\n", "f = +-1\n",
        "f = 1.5.5\n", "i = 1 2\n",
        // Dates and times
        "d = 2021-02-30\n", "d = 2021-13-01\n", "d = 2021-00-01\n", "d = 0000-01-01\n", "d = 2023-02-29\n", "t = 24:00:00\n", "t = 07:60:00\n",
        "t = 07:32:60\n", "t = 07:32\n", "d = 1979-05-27T07:32\n", "d = 1979-05-27T07:32:00+0700\n", "d = 1979-05-27T07:32:00.\n", "d = 1979-5-27\n",
        "d = 1979-05-27T07:32:00Zx\n",
        // Arrays
        "a = [1,,2]\n", "a = [,]\n", "a = [1 2]\n", "a = [\n", "a = [1, }]\n", "a = ]\n",
        // Inline tables
        "t = { a = 1,\n b = 2 }\n", "t = { a = 1, }\n", "t = { a = 1 b = 2 }\n", "t = { a = 1, a = 2 }\n", "t = {\n}\n",
        "t = { a.b = 1, a = 2 }\n", "t = { a = {}, a.b = 1 }\n", "t = { a = [], a.b = 1 }\n",
        "[product]\ntype = { name = \"Nail\" }\ntype.edible = false\n", "[product]\ntype.name = \"Nail\"\ntype = { edible = false }\n",
        "a = {}\n[a.b]\n", "a = {b = 1}\n[a]\n",
        // Tables
        "[fruit]\napple = \"red\"\n\n[fruit]\norange = \"orange\"\n", "[fruit]\napple = \"red\"\n\n[fruit.apple]\ntexture = \"smooth\"\n",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n\n[fruit.apple]\n", "[fruit]\napple.color = \"red\"\n\n[fruit.apple.taste]\nsweet = true\n[fruit.apple]\n",
        "[a]\nb = 1\n[a.b]\n", "[]\n", "[ ]\n", "[a b]\n", "[a.]\n", "[.a]\n", "[a\n", "[a]b = 1\n", "[a]]\n", "[[a]\n", "[[a]]]\n",
        "[ [a]]\n", "[[[a]]]\n", "[a]\n[a]\n",
        "fruits = []\n[[fruits]]\n", "[[fruits]]\n[fruits]\n", "[fruit.physical]\ncolor = \"red\"\n[[fruit]]\n",
        "[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[fruits.varieties]\nname = \"granny smith\"\n",
        "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[fruits.physical]\nshape = \"round\"\n",
        "a = 1\n[a]\n", "a = 1\n[a.b]\n", "a = [1]\n[[a]]\n", "a.b = 1\n[a]\n",
        // Control characters and line ends
        "a = 1\rb = 2\n", "# comment \u{0}\n", "# comment \u{7}\n", "a = 1\u{0B}\n", "a\u{0C} = 1\n",
        // Nothing but garbage
        "}", "{", "[", "\"", "'", "=", "a", "\u{FEFF}a = 1\n",
    ]
}
