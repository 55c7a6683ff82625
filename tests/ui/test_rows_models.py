import datetime as dt

from ui_fakes import make_item, make_job

from stockdesk.domain.values import ItemStatus, JobStatus
from stockdesk.ui.failures_model import COL_ERROR_CODE, COL_MESSAGE, COL_TIME, FailuresModel
from stockdesk.ui.history_model import (
    COL_DURATION,
    COL_END,
    COL_ID,
    COL_RANGE,
    COL_RESUMES,
    COL_STATUS,
    HistoryModel,
)

JOB_ID = "historical_collection_20240612_103000_140001"


def test_failures_model(qtmodeltester):
    model = FailuresModel()
    model.set_rows([make_item(1, ItemStatus.FAILED), make_item(2, ItemStatus.FAILED)])
    qtmodeltester.check(model)
    assert model.index(0, COL_ERROR_CODE).data() == "10002007"
    assert model.index(0, COL_MESSAGE).data() == "网络接收错误"
    assert model.index(0, COL_TIME).data() == "2024-06-12 10:30:00"
    assert model.codes() == ("sh.600001", "sh.600002")


def test_history_model(qtmodeltester):
    model = HistoryModel()
    running = make_job(
        "historical_collection_20240612_110000_1",
        status=JobStatus.RUNNING,
        end_time=None,
        resumes=JOB_ID,
    )
    model.set_rows([running, make_job(JOB_ID)])
    qtmodeltester.check(model)
    assert model.index(1, COL_ID).data() == JOB_ID
    assert model.index(1, COL_STATUS).data() == "Completed"
    assert model.index(1, COL_RANGE).data() == "2024-01-02 ~ 2024-06-11"
    assert model.index(1, COL_DURATION).data() == "0:03:05"
    assert model.index(0, COL_END).data() == ""
    assert model.index(0, COL_RESUMES).data() == JOB_ID
    assert model.index(1, COL_RESUMES).data() == ""
    assert model.row_of(JOB_ID) == 1
    assert model.row_of("nope") == -1
    assert isinstance(model.row_at(0).start_time, dt.datetime)
