"""povmon demo and povmon sample: the sample county, generated, imported and reported."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from povmon import console, crypto, demo, files, sample, sample_extras, sample_monitor
from povmon.cli.common import ForceOption, UserOption, user_of
from povmon.cli.importing import ImportProgress
from povmon.cli.report import render

sample_app = typer.Typer(help="示例数据：按报纸报道的数字生成交城县示例工作簿。", no_args_is_help=True)


def demo_cmd(
    directory: Annotated[
        Path, typer.Argument(help="放演示数据库和报表的文件夹（不存在时新建）。", show_default=True)
    ] = demo.DEFAULT_DIR,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条。")] = False,
    force: Annotated[bool, typer.Option("--force", help="替换上次演示的数据库和报表（不是演示建立的数据库仍不会动）。")]
    = False,
    user: UserOption = None,
) -> None:
    """在 DIR 中建立示例县交城县：新的演示数据库，导入示例工作簿，写出 2019 年 1 月月报和野则河村五本账，
    显示全县汇总。不碰默认数据库；DIR 中已有不是演示建立的数据库时拒绝。

    Example: povmon demo ./povmon-demo
    """
    started = time.monotonic()
    demo.check_folder(directory, force=force)  # before saying anything is built
    console.info(f"演示：建立交城县示例登记簿（{directory / demo.DB_FILE}），导入示例工作簿……")
    with ImportProgress(quiet) as progress:
        result = demo.run(directory, user=user_of(user), progress=progress, force=force)
    counts = result.imported.counts
    console.info("已导入：" + "，".join(
        f"{label} {counts[kind]['created']}" for kind, label in
        (("households", "户"), ("members", "人（含已故、迁出）"), ("events", "识别变动"), ("cadres", "帮扶干部"),
         ("pairings", "结对"), ("visits", "走访"), ("benefits", "享受政策")) if kind in counts
    ) + f"（批次 {result.imported.batch}）。")
    if result.teams:
        t = result.teams
        console.info(f"驻村工作队 {t['teams']} 个（队员任职 {t['members']} 段），2019 年考勤 {t['marks']:,} 个标记、"
                     f"请假 {t['leaves']} 次、工作日志 {t['logs']:,} 篇；看考勤：povmon report attendance --year 2019 "
                     f"--db {result.database}")
    console.show(render(result.report))
    console.info("")
    console.info(f"数据库：    {result.database}    （povmon --db {result.database} …）")
    if result.key_file is not None:
        console.info(f"县密钥：    {result.key_file}（演示专用；对演示库运行别的命令前先设 "
                     f"{crypto.KEY_FILE_ENV}={result.key_file}）")
    console.info(f"月报：      {result.report_file}")
    console.info(f"五本账：    {result.ledger_file}（{demo.LEDGER_VILLAGE} {result.ledgers} 户）")
    if result.dept_lists:
        console.info(f"动态监测：  导入部门名单 {result.dept_lists} 份，{demo.SCREEN_DATE.isoformat()} 筛查出线索 "
                     f"{result.leads} 条（povmon monitor leads --db {result.database}）")
    console.success(f"演示完成，用时 {time.monotonic() - started:.0f} 秒。")
    if result.example_household:
        key = f"{crypto.KEY_FILE_ENV}={result.key_file} " if result.key_file is not None else ""
        console.info(f"再试试：{key}povmon household show {result.example_household} --db {result.database} "
                     "--as-of 2019-01-31")


@sample_app.command("generate")
def generate_cmd(
    directory: Annotated[Path, typer.Argument(help="写出示例工作簿的文件夹。")],
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成完全相同的文件。")] = sample.SEED,
    force: ForceOption = False,
) -> None:
    """生成示例县的工作簿（同一种子总是生成完全相同的文件）。

    Example: povmon sample generate sample_data
    """
    if directory.exists():
        for name in (*sample.ALL_FILES, sample_extras.FILE_EXTRAS, *sample_monitor.DEPT_FILES):
            files.check_target(directory / name, force=force)
    paths = sample.write(directory, seed, progress=lambda name: console.info(f"生成 {directory / name} ……"))
    console.info(f"生成 {len(sample_monitor.DEPT_FILES)} 份部门名单（防止返贫动态监测）……")
    paths += sample_monitor.write(directory, seed)
    console.success(f"已生成 {len(paths)} 个示例工作簿：{directory}")
