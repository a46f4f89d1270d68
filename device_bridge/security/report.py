"""The assessment as an official report (báo cáo) for the People's Committee, via
``cms.official_document``: the checks item by item and cluster by cluster, the open findings."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from django.utils import timezone

from cms.official_document import OfficialDocument, Part, Section, Signer, Table
from content_types.models import CommuneSettings

from . import selectors
from .models import Assessment, Result

DRAFT_MARK = " (dự thảo)"


def _place(commune_name: str) -> str:
    """ "xã Chí Minh" → "Chí Minh" (the date line names the place without its rank)."""
    for rank in ("xã ", "phường ", "thị trấn ", "đặc khu "):
        if commune_name.lower().startswith(rank):
            return commune_name[len(rank):]
    return commune_name


def _chart(rows: list[tuple[str, int, int, int]]) -> bytes:
    """Passed/failed per item as a horizontal bar chart (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    labels = [row[0] for row in rows][::-1]
    passed = [row[1] for row in rows][::-1]
    failed = [row[2] for row in rows][::-1]
    figure = Figure(figsize=(7, 0.45 * len(rows) + 1.2), dpi=120)
    axes = figure.subplots()
    axes.barh(labels, passed, color="#2e7d32", label="Đạt")
    axes.barh(labels, failed, left=passed, color="#c62828", label="Không đạt")
    axes.legend(loc="lower right", fontsize=8)
    axes.tick_params(labelsize=8)
    axes.set_xlabel("Số lượt kiểm tra", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def assessment_document(*, assessment: Assessment, with_chart: bool = True) -> OfficialDocument:
    commune = CommuneSettings.for_site(assessment.site)
    results = list(selectors.assessment_results(assessment=assessment))
    counts = Counter(r.status for r in results)
    clusters = {r.cluster_label for r in results if r.cluster_label}

    by_item: dict[str, Counter] = defaultdict(Counter)
    titles: dict[str, str] = {}
    by_cluster: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        by_item[r.item_code][r.status] += 1
        titles.setdefault(r.item_code, r.item_title)
        if r.cluster_label:
            by_cluster[r.cluster_label][r.status] += 1
    item_rows = [(titles[code], c[Result.PASSED], c[Result.FAILED], c[Result.NOT_APPLICABLE])
                 for code, c in by_item.items()]

    summary = [
        f"Thực hiện nhiệm vụ đánh giá an toàn thông tin các cụm thu phát thanh IP/4G, "
        f"{commune.agency_name} đã kiểm tra {len(clusters)} cụm loa và hệ thống quản lý "
        f"trong kỳ {assessment.period}.",
        f"Tổng số lượt kiểm tra: {len(results)}; đạt: {counts[Result.PASSED]}; không đạt: "
        f"{counts[Result.FAILED]}; không áp dụng: {counts[Result.NOT_APPLICABLE]}"
        + (f"; chưa đánh giá: {counts[Result.PENDING]}." if counts[Result.PENDING] else "."),
    ]
    sections = [Section(
        title="Tổng hợp theo nội dung kiểm tra",
        tables=[Table(headers=["STT", "Nội dung kiểm tra", "Đạt", "Không đạt", "Không áp dụng"],
                      rows=[[i, *row] for i, row in enumerate(item_rows, start=1)],
                      widths=[1, 7, 1.6, 1.6, 1.8])],
        images=[_chart(item_rows)] if with_chart and item_rows else [],
    )]
    if by_cluster:
        sections.append(Section(
            title="Kết quả từng cụm loa",
            tables=[Table(headers=["STT", "Cụm loa", "Đạt", "Không đạt", "Không áp dụng"],
                          rows=[[i, label, c[Result.PASSED], c[Result.FAILED],
                                 c[Result.NOT_APPLICABLE]]
                                for i, (label, c) in enumerate(sorted(by_cluster.items()),
                                                               start=1)],
                          widths=[1, 7, 1.6, 1.6, 1.8])],
        ))
    system = [r for r in results if not r.cluster_id and not r.cluster_label]
    if system:
        sections.append(Section(
            title="Hệ thống quản lý",
            tables=[Table(headers=["STT", "Nội dung kiểm tra", "Kết quả", "Bằng chứng"],
                          rows=[[i, r.item_title, r.get_status_display(), r.evidence]
                                for i, r in enumerate(system, start=1)],
                          widths=[1, 5, 2, 5])],
        ))

    open_findings = [r for r in results if r.is_open_finding]
    if open_findings:
        findings_part = Part(title="Các tồn tại chưa khắc phục", sections=[Section(
            title="Danh sách tồn tại",
            paragraphs=[f"Còn {len(open_findings)} nội dung không đạt chưa khắc phục xong."],
            tables=[Table(
                headers=["STT", "Cụm loa", "Nội dung", "Phát hiện", "Biện pháp khắc phục",
                         "Người phụ trách", "Hạn"],
                rows=[[i, r.cluster_label or "Hệ thống quản lý", r.item_title, r.finding,
                       r.remediation, r.owner, r.due_date]
                      for i, r in enumerate(open_findings, start=1)],
                widths=[1, 2, 2.6, 3, 2.8, 2, 2.4])],
        )])
    else:
        findings_part = Part(title="Các tồn tại chưa khắc phục",
                             paragraphs=["Không còn tồn tại nào chưa khắc phục."])

    recommendations = [line for line in assessment.summary.splitlines() if line.strip()]
    signed = assessment.is_signed_off
    date = timezone.localdate(assessment.signed_off_at) if signed else timezone.localdate()
    return OfficialDocument(
        superior_body=f"UBND {commune.commune_name}",
        issuing_body=commune.agency_name,
        number_symbol=assessment.number_symbol or "      /BC",
        place=_place(commune.commune_name),
        date=date,
        subject=f"Kết quả đánh giá an toàn thông tin hệ thống loa truyền thanh "
                f"{assessment.period}" + ("" if signed else DRAFT_MARK),
        parts=[
            Part(title="Tình hình chung", paragraphs=summary),
            Part(title="Kết quả kiểm tra", sections=sections),
            findings_part,
            Part(title="Kiến nghị", paragraphs=recommendations or ["Không có kiến nghị."]),
        ],
        recipients=[f"UBND {commune.commune_name} (để báo cáo)", "Lưu: VT"],
        signer=Signer(on_behalf=assessment.signer_on_behalf, title=assessment.signer_title,
                      name=assessment.signer_name) if signed else Signer(title="NGƯỜI KÝ"),
    )


def report_filename(assessment: Assessment, extension: str) -> str:
    return f"danh-gia-attt-{assessment.pk}.{extension}"

