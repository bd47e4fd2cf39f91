"""The flattened-cell parsers, on literal strings copied from real portal records.

Each string is (a piece of) a published cell; the record's code is given so that the
case can be looked up in ``../shared/data/catalogue/national-portal-2026-07.jsonl``.
"""

from __future__ import annotations

import pytest

from knowledge.catalogue import cells
from knowledge.text import normalize

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"

# --------------------------------------------------------------------------- channels


def test_channels_of_1_000771_three_kinds_with_days_and_usd_fee() -> None:
    cell = (
        CHANNEL_HEADER + "Trực tuyến5 Ngày làm việc10 USD(/lần)Dịch vụ bưu chính5 Ngày làm việc"
        "10 USD(/lần)Trực tiếp5 Ngày làm việc10 USD(/lần)"
    )
    channels = cells.parse_channels(cell)
    assert [c.kind for c in channels] == ["online", "post", "in_person"]
    for ch in channels:
        assert ch.time_limit == "5 Ngày làm việc"
        assert ch.time_days == 5.0
        assert ch.working_days is True
        assert ch.fee == "10 USD(/lần)"
        assert ch.fee_vnd is None  # not in đồng
        assert ch.description == ""


def test_free_channels_in_calendar_days() -> None:  # 6.003636
    cell = (
        CHANNEL_HEADER + "Trực tiếp15 NgàyMiễn phíTrực tuyến15 NgàyMiễn phíDịch vụ bưu chính15 NgàyMiễn phí"
    )
    channels = cells.parse_channels(cell)
    assert [(c.kind, c.time_days, c.working_days, c.fee, c.fee_vnd) for c in channels] == [
        ("in_person", 15.0, False, "Miễn phí", 0),
        ("online", 15.0, False, "Miễn phí", 0),
        ("post", 15.0, False, "Miễn phí", 0),
    ]


def test_fee_in_dong_with_note_and_description() -> None:  # 1.004002, 1.002992
    (ch,) = cells.parse_channels(
        CHANNEL_HEADER + "Trực tuyến2 Ngày làm việc70,000 VNĐ(70.000 đồng/Giấy chứng nhận)"
    )
    assert ch.fee == "70,000 VNĐ(70.000 đồng/Giấy chứng nhận)"
    assert ch.fee_vnd == 70_000
    (ch,) = cells.parse_channels(
        CHANNEL_HEADER + "Trực tuyến5 Ngày làm việcMiễn phí05 (năm) ngày làm việc kể từ ngày nhận "
        "hồ sơ đầy đủ, hợp lệ."
    )
    assert ch.fee == "Miễn phí"
    assert ch.description == "05 (năm) ngày làm việc kể từ ngày nhận hồ sơ đầy đủ, hợp lệ."


def test_hours_and_bare_numbers() -> None:  # 3.000141, 1.008331
    (hours,) = cells.parse_channels(CHANNEL_HEADER + "Trực tuyến8 GiờMiễn phí")
    assert hours.time_limit == "8 Giờ"
    assert hours.time_days == pytest.approx(8 / 24, abs=1e-3)
    bare = cells.parse_channels(CHANNEL_HEADER + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí")
    assert [(c.time_limit, c.time_days, c.fee_vnd) for c in bare] == [("1", None, 0), ("1", None, 0)]


def test_duration_digits_glued_to_the_fee() -> None:  # 1.000014: "1" + "20 VNĐ"
    rows = cells.parse_channel_rows(
        CHANNEL_HEADER + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)"
    )
    assert [r.channel.kind for r in rows] == ["online", "in_person"]
    for row in rows:
        assert row.ambiguous_time
        assert row.channel.time_limit == "1"
        assert row.channel.fee == "20 VNĐ(20.000 vnđ /tờ khai)"
        assert row.channel.fee_vnd == 20_000  # the note confirms thousands
    (row,) = cells.parse_channel_rows(CHANNEL_HEADER + "Trực tuyến1100,000 VNĐ(- Phí công bố)")
    assert (row.channel.time_limit, row.channel.fee_vnd) == ("1", 100_000)


def test_missing_fee_then_enumerated_description() -> None:  # 1.004163-like "(1) Trường hợp"
    (ch,) = cells.parse_channels(
        CHANNEL_HEADER + "Trực tuyến30 Ngày làm việcKhông có thông tin(1) Trường hợp ban hành quyết định"
    )
    assert ch.fee == ""
    assert ch.fee_vnd is None
    assert ch.description == "(1) Trường hợp ban hành quyết định"


def test_duration_in_words_and_prose_mentions_of_a_channel() -> None:  # 1.009824
    cell = (
        CHANNEL_HEADER + "Trực tiếpHệ thống giải quyết thủ tục hành chính ngành Thuế thực hiện phản hồi "
        "tự động thông qua phương thức điện tử.Không có thông tinTại Trung tâm phục vụ hành chính công "
        "cấp tỉnh, xã. Nộp Trực tiếp tại bộ phận một cửa"
    )
    (ch,) = cells.parse_channels(cell)
    assert ch.kind == "in_person"
    assert ch.time_limit.startswith("Hệ thống giải quyết")
    assert ch.time_days is None
    assert ch.fee == ""
    assert ch.description.endswith("Nộp Trực tiếp tại bộ phận một cửa")


def test_unbalanced_fee_note_runs_to_the_end_of_its_row() -> None:  # 1.003820-like
    cell = (
        CHANNEL_HEADER + "Trực tuyến7 Ngày làm việc20,000,000 VNĐ(đồng/lần (Miễn phí từ ngày 07/4/2026)"
        "trong thời hạn 7 ngàyTrực tiếp7 Ngày làm việcMiễn phí"
    )
    online, in_person = cells.parse_channels(cell)
    assert online.fee_vnd == 20_000_000
    assert online.fee.startswith("20,000,000 VNĐ(đồng/lần")
    assert in_person.fee_vnd == 0


def test_empty_and_odd_channel_cells() -> None:
    assert cells.parse_channels("") == []
    assert cells.parse_channels(CHANNEL_HEADER) == []
    assert cells.parse_channels("Không có thông tin") == []


@pytest.mark.parametrize(
    ("fee", "expected"),
    [
        ("Miễn phí", 0),
        ("Miễn phí(Không quy định.)", 0),
        ("Phí : 0 Đồng", 0),
        ("Phí : Không Đồng", 0),
        ("Lệ phí : 0 Đồng", 0),
        (
            "2,000,000 Việt Nam Đồng(Phí kiểm tra và cấp giấy chứng nhận: 2.000.000 đồng/01 đơn hàng)",
            2_000_000,
        ),
        ("Phí : 50.000 Đồng (50.000 đồng/hồ sơ. Riêng sơ tuyển các ngành năng khiếu: 120.000 đồng)", 50_000),
        ("10 USD(/lần)", None),
        ("Lệ phí : 1.5 USD", None),
        ("Không có thông tin", None),
        ("Phí :  Đồng", None),
        ("", None),
        # "free", but the note says the province sets the fee: not free for sure
        (
            "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương quyết định.)",
            None,
        ),
        ("Miễn phí(Cho một loại hình sản phẩm hoặc dịch vụ: 8.000.000/lần)", None),
        # the portal's "100 VNĐ" means 100.000 đồng only when its note says so
        ("100 VNĐ", None),
        ("100 VNĐ(100.000 đồng/lần.)", 100_000),
        (
            "Phí : 2.000.000 Đồng (nghiên cứu, kiểm định, thử nghiệm)\n"
            "Phí : 3.500.000 Đồng (tìm kiếm, thăm dò, khai thác trên đất liền)",
            None,
        ),
        ("Lệ phí : 20000 Đồng (Người điều khiển phương tiện)\nLệ phí : 01 USD (Người nước ngoài)", None),
    ],
)
def test_fee_in_dong(fee: str, expected: int | None) -> None:
    assert cells.parse_fee_vnd(fee) == expected


@pytest.mark.parametrize(
    ("text", "days", "working"),
    [
        ("5 Ngày làm việc", 5.0, True),
        ("15 Ngày", 15.0, False),
        ("02 Giờ", round(2 / 24, 4), False),
        ("4 Tháng", None, False),
        ("Không quy định", None, False),
        ("1", None, False),
        ("", None, False),
    ],
)
def test_duration(text: str, days: float | None, working: bool) -> None:
    assert cells.parse_duration(text) == (days, working)


# --------------------------------------------------------------------------- documents

DOC_HEADER = "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"


def test_documents_of_1_000771() -> None:
    cell = (
        DOC_HEADER + "Hộ chiếu hoặc giấy tờ có giá trị đi lại quốc tế.1 bản chínhTrường hợp nộp hồ sơ "
        "trực tuyến thì hộ chiếu phải gửi qua dịch vụ bưu chính công ích.0 bản chínhTờ khai đề nghị cấp "
        "thị thực, gia hạn tạm trú (mẫu NA5) ban hành kèm theo Thông tư số 22/2023/TT-BCA ngày "
        "30/6/2023 của Bộ Công an.NA5.doc1 bản chínhGiấy miễn thị thực.1 bản chính"
    )
    docs = cells.parse_documents(cell)
    assert [(d.originals, d.copies, d.form) for d in docs] == [
        (1, None, ""),
        (0, None, ""),
        (1, None, "NA5.doc"),
        (1, None, ""),
    ]
    assert docs[0].name == "Hộ chiếu hoặc giấy tờ có giá trị đi lại quốc tế"
    assert docs[2].name.endswith("ngày 30/6/2023 của Bộ Công an")
    assert docs[3].name == "Giấy miễn thị thực"
    assert all(d.group == "" for d in docs)


def test_copies_and_digits_glued_to_the_quantity() -> None:  # 1.012781, 2.002322
    cell = (
        DOC_HEADER + "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 181 bản chính,"
        "1 bản saoVăn bản xác nhận của cơ quan có thẩm quyền về tổ chức hoặc tham dự sự kiện0 bản chính,"
        "1 bản sao- Bản sao hợp đồng có xác nhận: 02 bản sao có chứng thực;1 bản chính"
    )
    docs = cells.parse_documents(cell)
    assert [(d.originals, d.copies) for d in docs] == [(1, 1), (0, 1), (1, None)]
    assert docs[0].name.endswith("theo Mẫu số 18")
    assert docs[2].name == "Bản sao hợp đồng có xác nhận: 02 bản sao có chứng thực"


@pytest.mark.parametrize(
    ("row", "name_end", "form"),
    [
        (  # 1.002409: a template name glued to the document number in lower case
            "Đơn đăng ký theo Mẫu số 09.QLT Phụ lục IA ban hành kèm theo Nghị định số "
            "32/2026/NĐ-CPmau so 09.QLT. NK.docx1 bản chính",
            "Nghị định số 32/2026/NĐ-CP",
            "mau so 09.QLT. NK.docx",
        ),
        (  # 1.011726: "QĐ-TTg" is not a glue point
            "Đơn trình báo mất thẻ ABTC (mẫu TK07) ban hành kèm theo Quyết định số 09/2023/QĐ-TTg "
            "ngày 12/4/2023 của Thủ tướng Chính phủ.Đơn trình báo mất thẻ ABTC (mẫu TK07).pdf1 bản chính",
            "của Thủ tướng Chính phủ",
            "Đơn trình báo mất thẻ ABTC (mẫu TK07).pdf",
        ),
        (  # 1.002349: several templates in one cell
            "Bản khai hàng hóa nguy hiểm (nếu có) theo mẫu, Giấy phép rời cảngMauBankhaihanghoanguyhiem.docx"
            "MauDanhsachhanhkhach.docx1 bản chính",
            "Giấy phép rời cảng",
            "MauBankhaihanghoanguyhiem.docx; MauDanhsachhanhkhach.docx",
        ),
        (  # 1.004881: a file name with spaces and dots after a semicolon
            "- Đơn đăng ký lưu hành theo mẫu quy định tại Phụ lục I ban hành kèm theo Thông tư số "
            "13/2016/TT-BNNPTNT;PHỤ LỤC I. MẪU ĐƠN ĐĂNG KÝ LƯU HÀNH THUỐC THÚ Y.docx1 bản chính",
            "Thông tư số 13/2016/TT-BNNPTNT",
            "PHỤ LỤC I. MẪU ĐƠN ĐĂNG KÝ LƯU HÀNH THUỐC THÚ Y.docx",
        ),
    ],
)
def test_template_file_names(row: str, name_end: str, form: str) -> None:
    (doc,) = cells.parse_documents(DOC_HEADER + row)
    assert doc.name.endswith(name_end)
    assert doc.form == form
    assert doc.originals == 1


def test_case_headings_group_the_documents() -> None:  # 1.011479 (shortened)
    cell = (
        "I. Đối với vùng có Giấy chứng nhận hết hiệu lực: Tên giấy tờMẫu đơn, tờ khaiSố lượng1. Văn bản "
        "đề nghị theo Mẫu số 02.DT tại Phụ lục II ban hành kèm theo Thông tư số 09/2025/TT-BNNMT ngày 19 "
        "tháng 6 năm 2025 về chăn nuôi và thú yMs02.DT.docx1 bản chính,1 bản saoII. Đối với vùng đã thực "
        "hiện các biện pháp khắc phục sai lỗi:Tên giấy tờMẫu đơn, tờ khaiSố lượng2. Báo cáo khắc phục sai "
        "lỗi.1 bản chính"
    )
    first, second = cells.parse_documents(cell)
    assert first.group == "I. Đối với vùng có Giấy chứng nhận hết hiệu lực"
    assert first.form == "Ms02.DT.docx"
    assert (first.originals, first.copies) == (1, 1)
    assert second.group == "II. Đối với vùng đã thực hiện các biện pháp khắc phục sai lỗi"
    assert second.name == "2. Báo cáo khắc phục sai lỗi"


def test_heading_rows_inside_a_table() -> None:  # 1.005103 (shortened)
    cell = (
        "* Trường hợp kiểm định lần đầuTên giấy tờMẫu đơn, tờ khaiSố lượngBản sao phiếu kiểm tra chất "
        "lượng xuất xưởng.0 bản chính,1 bản sao- Giấy tờ phải xuất trình:0 bản chínhBản chà số khung, số "
        "động cơ của xe1 bản chính"
    )
    docs = cells.parse_documents(cell)
    assert [d.name for d in docs] == [
        "Bản sao phiếu kiểm tra chất lượng xuất xưởng",
        "Bản chà số khung, số động cơ của xe",
    ]
    assert docs[0].group == "Trường hợp kiểm định lần đầu"
    assert docs[1].group == "Trường hợp kiểm định lần đầu; Giấy tờ phải xuất trình"


def test_tab_separated_header_and_a_last_row_without_quantity() -> None:  # 2.000722
    cell = (
        "Tên giấy tờ\tMẫu đơn, tờ khai\tSố lượng\tBiểu mẫu điện tử\tKết quả thay thế + VB đề nghị tăng "
        "vốn điều lệ;1 bản chính+Phương án tăng mức vốn điều lệ"
    )
    docs = cells.parse_documents(cell)
    assert [(d.name, d.originals) for d in docs] == [
        ("VB đề nghị tăng vốn điều lệ", 1),
        ("Phương án tăng mức vốn điều lệ", None),
    ]


def test_cells_without_a_table_give_no_documents() -> None:  # 1.001521: the crawl put steps here
    assert cells.parse_documents("); nộp hồ sơ cho cơ quan BHXH.\nBước 2. Cơ quan BHXH tiếp nhận") == []
    assert cells.parse_documents("") == []
    assert cells.parse_documents("--") == []


# --------------------------------------------------------------------------- legal bases

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"


def test_legal_bases_of_1_000771() -> None:
    cell = (
        LEGAL_HEADER + "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam và Luật Nhập cảnh, xuất cảnh, quá "
        "cảnh, cư trú của người nước ngoài tại Việt Nam sửa đổi 202323/2023/QH15Luật 51/2019/QH14"
        "51/2019/QH14Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam"
        "47/2014/QH13Quy định mẫu giấy tờ liên quan đến việc nhập cảnh, xuất cảnh, cư trú của người nước "
        "ngoài tại Việt Nam04/2015/TT-BCAQUY ĐỊNH MỨC THU, CHẾ ĐỘ THU, NỘP, QUẢN LÝ VÀ SỬ DỤNG PHÍ, LỆ "
        "PHÍ TRONG LĨNH VỰC XUẤT CẢNH, NHẬP CẢNH, QUÁ CẢNH, CƯ TRÚ TẠI VIỆT NAM25/2021/TT-BTCThông tư số "
        "22/2023/TT-BCA22/2023/TT-BCANghị định 82/2015/NĐ-CP82/2015/NĐ-CP"
    )
    bases = cells.parse_legal_bases(cell)
    assert [b.number for b in bases] == [
        "23/2023/QH15",
        "51/2019/QH14",
        "47/2014/QH13",
        "04/2015/TT-BCA",
        "25/2021/TT-BTC",
        "22/2023/TT-BCA",
        "82/2015/NĐ-CP",
    ]
    assert bases[0].title.endswith("tại Việt Nam sửa đổi 2023")
    assert bases[1].title == "Luật 51/2019/QH14"
    assert bases[3].title.startswith("Quy định mẫu giấy tờ") and bases[3].title.endswith("tại Việt Nam")
    assert bases[4].title.startswith("QUY ĐỊNH MỨC THU")
    assert bases[6].title == "Nghị định 82/2015/NĐ-CP"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (  # 1.012751: the capital of the next title was taken by the number
            "Quy định về phân cấp trong lĩnh vực đất đai151/2025/NĐ-CPThực hiện thủ tục hành chính theo cơ "
            "chế một cửa118/2025/NĐ-CP",
            [
                ("Quy định về phân cấp trong lĩnh vực đất đai", "151/2025/NĐ-CP"),
                ("Thực hiện thủ tục hành chính theo cơ chế một cửa", "118/2025/NĐ-CP"),
            ],
        ),
        (  # 1.000757: "BCAngày" is a missing space inside one title, "Angày" no syllable
            "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an sửa đổi Thông tư số 55/2021/TT-BCA "
            "ngày 15 tháng 5 năm 202153/2025/TT-BCALuật Căn cước26/2023/QH15",
            [
                (
                    "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an sửa đổi Thông tư số "
                    "55/2021/TT-BCA ngày 15 tháng 5 năm 2021",
                    "53/2025/TT-BCA",
                ),
                ("Luật Căn cước", "26/2023/QH15"),
            ],
        ),
        (  # 1.003576: a title in lower case after the number
            "Thông tư số 101/2020/TT-BTC về phí trong công tác thú y101/2020/TT-BTCsửa đổi, bổ sung một số "
            "điều của các Thông tư quy định về quản lý thuốc thú y15/2026/TT-BNNMT",
            [
                ("Thông tư số 101/2020/TT-BTC về phí trong công tác thú y", "101/2020/TT-BTC"),
                (
                    "sửa đổi, bổ sung một số điều của các Thông tư quy định về quản lý thuốc thú y",
                    "15/2026/TT-BNNMT",
                ),
            ],
        ),
        (  # 1.001521: "NĐ-CP-Quy định" is one title; capitals after the number
            "88/2020/NĐ-CPNghị định 166/2016/NĐ-CP-Quy định về giao dịch điện tử166/2016/NĐ-CPLUẬT  Bảo "
            "hiểm xã hội58/2014/QH13",
            [
                ("88/2020/NĐ-CP", "88/2020/NĐ-CP"),
                ("Nghị định 166/2016/NĐ-CP-Quy định về giao dịch điện tử", "166/2016/NĐ-CP"),
                ("LUẬT Bảo hiểm xã hội", "58/2014/QH13"),
            ],
        ),
        (  # Prime Minister's decisions and numbers without a year
            "Quyết định số 22/2025/QĐ-TTg của Thủ tướng22/2025/QĐ-TTgQuyết định công bố thủ tục5568/QĐ-BCA",
            [
                ("Quyết định số 22/2025/QĐ-TTg của Thủ tướng", "22/2025/QĐ-TTg"),
                ("Quyết định công bố thủ tục", "5568/QĐ-BCA"),
            ],
        ),
    ],
)
def test_legal_bases(cell: str, expected: list[tuple[str, str]]) -> None:
    bases = cells.parse_legal_bases(LEGAL_HEADER + cell)
    assert [(b.title, b.number) for b in bases] == expected


def test_no_legal_basis() -> None:
    assert cells.parse_legal_bases("Không có thông tin") == []
    assert cells.parse_legal_bases(LEGAL_HEADER) == []
    assert cells.parse_legal_number("Thông tư số 104/2024/TT-BQP") == "104/2024/TT-BQP"
    assert cells.parse_legal_number("BỘ LUẬT HÀNG HẢI VIỆT NAM") == ""


# --------------------------------------------------------------------------- steps, result, lists


def test_steps_split_on_step_headings_only() -> None:
    text = (
        "Bước 1: Chuẩn bị hồ sơ.\nBước 2: Nộp hồ sơ như tại Bước 1 nêu trên.\n+ Bước 3: Trả kết quả. "
        "Bước 4. Lưu hồ sơ"
    )
    assert cells.parse_steps(text) == [
        "Bước 1: Chuẩn bị hồ sơ.",
        "Bước 2: Nộp hồ sơ như tại Bước 1 nêu trên.",
        "Bước 3: Trả kết quả.",
        "Bước 4. Lưu hồ sơ",
    ]


def test_steps_without_headings_are_one_step() -> None:
    assert cells.parse_steps("a) Nộp hồ sơ TTHC:\n- Người nhập khẩu gửi hồ sơ") == [
        "a) Nộp hồ sơ TTHC: - Người nhập khẩu gửi hồ sơ"
    ]
    assert cells.parse_steps("Không có thông tin") == []


def test_result_without_page_furniture() -> None:  # 1.000771, 1.007664
    assert cells.parse_result(
        "Gia hạn tạm trú (không quá 06 tháng)Mã: KQ.G01.000074Từ khóaKhông có thông tinMô tảKhông có "
        "thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn Bộ ngành --Nộp hồ sơ"
    ) == ["Gia hạn tạm trú (không quá 06 tháng)"]
    assert cells.parse_result(
        "Thực hiện miễn thuế theo quy địnhMã: KQ.G12.001222Thông báo lý do không thuộc diện được miễn "
        "thuếMã: G19-KQ0060102Từ khóaKhông có thông tin"
    ) == ["Thực hiện miễn thuế theo quy định", "Thông báo lý do không thuộc diện được miễn thuế"]


def test_applicants_and_levels() -> None:
    assert cells.parse_applicants(
        "Công dân Việt Nam, Cán bộ, công chức, viên chức, Tổ chức (không bao gồm doanh nghiệp, HTX), "
        "Người nước ngoài"
    ) == [
        "Công dân Việt Nam",
        "Cán bộ, công chức, viên chức",
        "Tổ chức (không bao gồm doanh nghiệp, HTX)",
        "Người nước ngoài",
    ]
    assert cells.parse_applicants("Không có thông tin") == []
    assert cells.parse_levels("Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác") == (
        ["ministry", "province", "commune", "other"],
        [],
    )
    assert cells.parse_levels("Cấp Bộ, Cấp huyện") == (["ministry"], ["Cấp huyện"])
    assert cells.channel_kind("Dịch vụ bưu chính") == "post"
    assert cells.channel_kind("Fax") is None


# --------------------------------------------------------------------------- text


def test_clean_normalises_and_drops_no_information() -> None:
    assert cells.clean("Không có thông tin") == ""
    assert cells.clean("  Hoà  giải\n viên,\u00ad Thuỷ ") == "Hòa giải viên, Thủy"
    decomposed = "Thu\u0309 tu\u0323c"  # combining marks (not NFC)
    assert cells.clean(decomposed) == "Thủ tục"


@pytest.mark.parametrize("glued", ["Luật Thú yLuật", "TT-BCAngày", "đầu tưMẫu", "Ngày100", "kilômét"])
def test_clean_leaves_glued_words_alone(glued: str) -> None:
    """``normalize`` would move a tone mark inside a word that is two glued words."""
    assert cells.clean(glued) == glued


def test_clean_equals_normalize_on_ordinary_text() -> None:
    text = (
        "Hoà giải viên thuỷ sản, khoẻ mạnh; uỷ quyền cho Ủy ban nhân dân xã Hòa Khánh.\n"
        "Người nộp hồ sơ   nhận kết quả tại Trung tâm Phục vụ hành chính công (bản chính)."
    )
    assert cells.clean(text) == normalize(text)
