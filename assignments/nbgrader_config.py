# nbgrader configuration for instructors: run nbgrader from this folder (see README.md).
c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = "gan_course"
c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
