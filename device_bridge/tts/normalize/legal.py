"""Legal document references (số, ký hiệu văn bản), read the way announcers read them.

``Nghị định số 49/2024/NĐ-CP`` -> ``Nghị định số bốn mươi chín năm hai nghìn không trăm hai
mươi tư của Chính phủ``: the type code repeats the word before it, so it is spoken only when
the sentence has not said it already. The notation follows Nghị định 30/2020/NĐ-CP
(số/năm/loại-cơ quan ban hành; công văn: số/cơ quan-đơn vị soạn thảo; Đảng: số-loại/cơ quan).
"""

from __future__ import annotations

import re

from .numbers import number_words

DOCUMENT_TYPES = {
    "NĐ": "nghị định",
    "TT": "thông tư",
    "TTLT": "thông tư liên tịch",
    "QĐ": "quyết định",
    "NQ": "nghị quyết",
    "NQLT": "nghị quyết liên tịch",
    "CT": "chỉ thị",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "BC": "báo cáo",
    "HD": "hướng dẫn",
    "CV": "công văn",
    "TTr": "tờ trình",
    "QC": "quy chế",
    "QyĐ": "quy định",
    "KL": "kết luận",
    "PL": "pháp lệnh",
    "CĐ": "công điện",
    "GM": "giấy mời",
    "BB": "biên bản",
    "CTr": "chương trình",
    "ĐA": "đề án",
}

ISSUERS = {
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "TW": "Trung ương",
    "TU": "Tỉnh ủy",
    "HU": "Huyện ủy",
    "ĐU": "Đảng ủy",
    "BCĐ": "Ban Chỉ đạo",
    "BTC": "Bộ Tài chính",
    "BYT": "Bộ Y tế",
    "BCA": "Bộ Công an",
    "BQP": "Bộ Quốc phòng",
    "BNV": "Bộ Nội vụ",
    "BTP": "Bộ Tư pháp",
    "BXD": "Bộ Xây dựng",
    "BCT": "Bộ Công Thương",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BLĐTBXH": "Bộ Lao động, Thương binh và Xã hội",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BGTVT": "Bộ Giao thông vận tải",
    "NHNN": "Ngân hàng Nhà nước",
    "MTTQ": "Mặt trận Tổ quốc",
    "VP": "Văn phòng",
}

_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*"
_STATE_REFERENCE = re.compile(
    rf"(?<![\w/])(?P<number>\d{{1,5}})(?:/(?P<year>\d{{4}}))?/(?P<code>{_CODE}(?:-{_CODE})*)(?![\w/-])"
)
_PARTY_REFERENCE = re.compile(
    rf"(?<![\w/])(?P<number>\d{{1,5}})-(?P<type>{_CODE})/(?P<issuer>{_CODE}(?:-{_CODE})*)(?![\w/-])"
)


def _issuer_words(code: str, lexicon: dict[str, str], spell) -> str:
    term = re.match(r"^(?P<name>[A-Za-zĐđ]+?)(?P<term>\d+)?$", code)
    name, term_number = (term.group("name"), term.group("term")) if term else (code, None)
    spoken = ISSUERS.get(name) or lexicon.get(name) or spell(name)
    if term_number:  # QH15: the 15th National Assembly (Quốc hội khóa XV)
        spoken += f" khóa {number_words(int(term_number))}"
    return spoken


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def _compose(text, match, number, year, type_code, issuers, lexicon, spell) -> str:
    type_name = DOCUMENT_TYPES.get(type_code or "", "")
    head = number_words(int(number))
    if year:
        head += f" năm {number_words(int(year))}"
    after = text[match.end() : match.end() + 12].lower().lstrip(" ,")
    # "… 49/2024/NĐ-CP của Chính phủ": the writer already named the issuer.
    tail = f" của {_join(issuers)}" if issuers and not after.startswith("của ") else ""
    before = text[max(0, match.start() - 40) : match.start()].lower()
    if not type_name or type_name in before:
        return head + tail
    if before.rstrip().endswith("số"):
        return f"{head}, {type_name}{tail}"
    return f"{type_name} số {head}{tail}"


def speak_references(text: str, *, lexicon: dict[str, str], spell) -> str:
    def state(match: re.Match) -> str:
        parts = match.group("code").split("-")
        if parts[0] in DOCUMENT_TYPES:
            type_code, issuer_codes = parts[0], parts[1:]
        else:
            # Công văn: the first part is the issuer, the rest its drafting unit; the unit
            # is internal filing detail and is not read on air.
            type_code, issuer_codes = None, parts[:1]
        if not match.group("year") and type_code is None and not issuer_codes:
            return match.group(0)
        issuers = [_issuer_words(code, lexicon, spell) for code in issuer_codes]
        return _compose(
            text,
            match,
            match.group("number"),
            match.group("year"),
            type_code,
            issuers,
            lexicon,
            spell,
        )

    def party(match: re.Match) -> str:
        if match.group("type") not in DOCUMENT_TYPES:
            return match.group(0)
        issuers = [_issuer_words(code, lexicon, spell) for code in match.group("issuer").split("-")]
        return _compose(
            text,
            match,
            match.group("number"),
            None,
            match.group("type"),
            issuers[:1],
            lexicon,
            spell,
        )

    text = _PARTY_REFERENCE.sub(party, text)
    return _STATE_REFERENCE.sub(state, text)
