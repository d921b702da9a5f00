"""CLI commands of the LLM layer: ``drafter serve`` (run the embedded model server alone) and ``drafter model-info``."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from types import FrameType

from drafter.llm import model_file, server, server_files
from drafter.llm.errors import LLMError
from drafter.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="单独启动内置本地模型服务（OpenAI 兼容接口），打印地址")
    serve.add_argument("--port", type=int, default=None, help="监听端口（默认自动选择空闲端口）")
    serve.set_defaults(func=cmd_serve)
    info = subparsers.add_parser("model-info", help="显示模型文件、校验状态和本地模型服务状态")
    info.add_argument("--verify", action="store_true", help="重新计算模型文件的 sha256（约需数秒）")
    info.add_argument("--ensure", action="store_true", help="如尚未组装则从模型包组装并校验；失败时返回非零")
    info.add_argument("--smoke", action="store_true",
                      help="用内置模型实际生成几个词元（子进程中），不能生成时说明 CPU 指令集与编译参数并返回非零")
    info.set_defaults(func=cmd_model_info)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        config = server.ServerConfig.from_settings(settings)
        srv = server.EmbeddedServer(
            config, log_path=settings.home / server_files.LOG_FILE, start_timeout=settings.local_start_timeout
        )
        print(f"正在加载模型 {config.model_path} …", flush=True)
        srv.start(port=args.port)
    except LLMError as exc:
        print(f"错误：{exc.user_message}\n{exc}", file=sys.stderr)
        return 1
    server_files.write_state(settings, srv)
    print(f"本地模型服务已就绪：{srv.url}/v1", flush=True)
    print(
        f"同一数据目录（{settings.home}）下的 drafter 会自动复用它；其他程序可把 OpenAI 接口地址设为上述地址。"
    )
    print(f"日志：{srv.log_path}。按 Ctrl-C 停止。", flush=True)
    signal.signal(signal.SIGTERM, _exit_on_signal)  # run the finally block below, then exit
    signal.signal(signal.SIGHUP, _exit_on_signal)
    try:
        assert srv.proc is not None
        while (code := srv.proc.poll()) is None:
            time.sleep(0.5)
        print(
            f"本地模型服务已退出（代码 {code}）。日志末尾：\n{server_files.log_tail(srv.log_path)}", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        print("\n正在停止本地模型服务 …")
        return 0
    finally:
        server_files.clear_state(settings, srv)
        srv.stop()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def cmd_model_info(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.ensure:
        try:
            model_file.ensure_model_file(settings)
        except LLMError as exc:
            print(f"错误：{exc.user_message}\n{exc}", file=sys.stderr)
            return 1
    if settings.llm_base_url:
        key = "已设置" if settings.llm_api_key else "未设置"
        print(f"模型服务：{settings.llm_base_url}（API 密钥{key}）；模型：{settings.llm_model}")
    else:
        print("模型服务：内置本地模型（未设置 DRAFTER_LLM_BASE_URL）")
    path, status = model_file.file_status(settings, rehash=args.verify)
    print(f"模型文件：{path}\n校验：{status}")
    state = server_files.read_state(settings)
    if state and server.pid_alive(int(state.get("pid", 0))) and server.port_open(int(state.get("port", 0))):
        print(f"本地模型服务：运行中 {state['url']}/v1（进程 {state['pid']}）")
    else:
        print("本地模型服务：未运行（需要时自动启动，或运行 drafter serve）")
    print(f"上下文长度：{settings.local_ctx}；线程数：{settings.local_threads}")
    crash = server_files.last_crash(settings)
    if crash:
        how = f"信号 {crash['signal']}" if crash.get("signal") else f"退出码 {crash.get('exit_code')}"
        print(f"上次异常退出：{crash.get('time')}（{how}）；日志：{settings.home / server_files.LOG_FILE}")
    if args.smoke and not settings.llm_base_url:
        from drafter.llm import smoke

        result = smoke.run_smoke(model_file.ensure_model_file(settings), settings.local_threads)
        if not result.ok:
            print(f"错误：{result.message}", file=sys.stderr)
            return 1
        rate = result.tokens / result.seconds if result.seconds else 0.0
        print(f"自检：生成 {result.tokens} 个词元用时 {result.seconds:.2f} 秒（{rate:.1f} 词元/秒）")
        print(f"CPU 指令集：{smoke.cpu_summary()}\nllama.cpp：{smoke.build_summary()}")
    return 0
