"""Work for the Celery worker, sent by task name: tracker/tasks.py registers the tasks, which call the
services; the services never import it (so no service depends on Celery's modules at import)."""


def queue_task(task: str, *args) -> None:
    """Send ``tracker.tasks.<task>(*args)`` to the worker. A task this process knows (a worker, eager
    mode) is applied through its own object, so that eager mode still runs it here."""
    from tracker.celery import app

    name = f"tracker.tasks.{task}"
    if name not in app.tasks and app.conf.task_always_eager:
        app.loader.import_default_modules()  # eager mode runs the task here: this process must know it
    if name in app.tasks:
        app.tasks[name].delay(*args)
    else:
        app.send_task(name, args=args)
