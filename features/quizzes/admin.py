from django.contrib import admin

from features.quizzes.models import Answer, Attempt, Choice, Question, Quiz
from totara_messaging.admin_inlines import LabelledTabularInline


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "time_limit_minutes", "grace_minutes", "attempts_allowed"]
    list_select_related = ["course"]
    search_fields = ["name", "course__full_name"]
    autocomplete_fields = ["course"]
    inlines = [QuestionInline]


class ChoiceInline(LabelledTabularInline):
    model = Choice
    extra = 2


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "quiz", "kind", "position", "marks"]
    list_select_related = ["quiz"]
    search_fields = ["text", "quiz__name"]
    autocomplete_fields = ["quiz"]
    inlines = [ChoiceInline]


class AnswerInline(LabelledTabularInline):
    model = Answer
    extra = 0
    fields = ["question", "choice", "text", "saved_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: learners make attempts on the site, which tells the people concerned."""

    list_display = [
        "quiz",
        "learner",
        "state",
        "started_at",
        "deadline_at",
        "submitted_at",
        "score",
    ]
    list_filter = ["state"]
    list_select_related = ["quiz", "learner"]
    search_fields = ["quiz__name", "learner__username", "learner__full_name"]
    readonly_fields = [
        "quiz",
        "learner",
        "state",
        "started_at",
        "deadline_at",
        "closes_at",
        "submitted_at",
        "score",
        "overdue_notified_at",
    ]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False
