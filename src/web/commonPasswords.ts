/**
 * A small built-in deny list: passwords of 12 or more characters (shorter ones fail the length
 * rule anyway) that sit near the top of public breach-frequency lists such as the UK NCSC's
 * "100k most common" list from Have I Been Pwned and SecLists' common-credentials lists, plus
 * obvious variants for this product. Not a substitute for a breach-corpus check; it stops the
 * passwords an attacker tries first. Compared lower-cased.
 */
const LIST = `
123456789012 1234567890123 12345678901234 123456789012345 1234567890qwerty 1234567890abc
12345678910111213 0987654321qwerty 098765432112 111111111111 000000000000 123123123123
121212121212 123321123321 147258369147 159357159357 112233445566 987654321987
qwertyuiop123 qwertyuiopasdfgh qwertyuiopasdfghjkl qwerty123456 qwerty1234567 qwertyqwerty
qwerty123456789 qwertyuiop12 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i 1qaz2wsx3edc
1qaz2wsx3edc4rfv zaq12wsxcde3 zaq1zaq1zaq1 qazwsxedcrfv qazwsxedcrfvtgb asdfghjkl123
asdfasdfasdf zxcvbnm12345 zxcvbnmasdfghjkl abcdefghijkl abcdefghijklm abc123456789
abcd12345678 abc123abc123 aaaaaaaaaaaa password1234 password12345 password123456
password1234567 password123! password2020 password2021 password2022 password2023
password2024 password2025 passwordpassword password1password mypassword123 mypassword1234
p@ssw0rd1234 p@ssword1234 passw0rd1234 passw0rd123! p@55w0rd1234 secretpassword
iloveyou1234 iloveyou12345 iloveyouiloveyou iloveyou2you letmein12345 letmeinletmein
welcome12345 welcome123456 welcome2024! welcomewelcome trustno1trustno1 changeme1234
changeme12345 changemenow! changeit1234 default12345 administrator administrator1
administrator123 admin1234567 admin123456789 adminadmin123 rootroot1234 superman1234
batman123456 football1234 football12345 baseball1234 basketball12 basketball123 soccer123456
princess1234 sunshine1234 sunshine12345 monkey123456 dragon123456 master123456 shadow123456
michael12345 jennifer1234 starwars1234 pokemon12345 minecraft123 liverpool123 chelsea12345
computer1234 internet1234 whatever1234 samsung12345 chocolate123 butterfly123 1234qwerasdf
1234567890-= !@#$%^&*()_+ 1qaz!qaz1qaz summer202020 winter202020 spring202020 autumn202020
fedcredit123 fedcredit1234 fedcredit2024 fedcredit2025 creditrisk123 federated123
`;

/** The deny list, lower-cased. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter((p) => p.length > 0).map((p) => p.toLowerCase()));
