from lvzhi.records.registry import Column, Hooks, RecordType, register

from . import models as m

register(RecordType(
    key="pre_review_rule", model=m.PreReviewRule, system="governance", kind_field="category",
    search_fields=("matter_type", "source", "code"),
    columns=[Column("unit", example="江海化工股份有限公司"), Column("code", example="QZ-12"),
             Column("matter_type", example="物资项目采购"), Column("category", example="大额度资金运作"),
             Column("threshold", example="200"), Column("source", example="公司党委前置研究讨论事项清单"),
             Column("document_number", example="江化党〔2021〕35号"), Column("date", example="2021-10-01"),
             Column("effective_to"), Column("notes")],
    list_columns=("code", "matter_type", "category", "threshold", "date"), natural_key=("unit", "code"),
    description="公司党委前置研究讨论事项清单（含金额门槛）",
))
register(RecordType(
    key="major_matter", model=m.MajorMatter, system="governance", kind_field="category",
    search_fields=("title", "number", "proposer"),
    columns=[Column("unit"), Column("number", example="SZYD-2022-031"), Column("title", example="有机硅单体原料年度采购"),
             Column("proposer", example="采购与物流部"), Column("category", example="大额度资金运作"),
             Column("matter_type", example="物资项目采购"), Column("amount", example="860"),
             Column("decision_body", example="经理层（总经理办公会）"), Column("date", example="2022-04-12"),
             Column("votes_for"), Column("votes_against"), Column("votes_abstain"), Column("recusals"),
             Column("observers", example="纪委书记、总法律顾问"), Column("compliance_reviewed", example="是"),
             Column("involves_staff_rights", example="否"), Column("result", example="通过"), Column("notes")],
    list_columns=("number", "date", "title", "amount", "decision_body"), natural_key=("unit", "number"),
    ref_key=("unit", "number"),
    hooks=Hooks(detail_context=lambda obj, scope: {"template": "governance/_gap.html", "gap": obj.pre_review_gap()}),
))
register(RecordType(
    key="pre_review", model=m.PreReview, system="governance", kind_field="conclusion",
    search_fields=("matter__title", "matter__number"),
    columns=[Column("matter", example="JH01/SZYD-2022-031", help="单位编码/议题编号；议题编号在您的范围内唯一时可只写编号"),
             Column("meeting", example="DW-JH01/2022-09", help="党组织编码/会议编号；会议编号在您的范围内唯一时可只写编号"),
             Column("date", example="2022-04-06"), Column("conclusion", example="同意提交决策"), Column("notes")],
    list_columns=("date", "matter", "meeting", "conclusion"), natural_key=("matter", "date"),
))
