! A gfortran program with !$omp directives, built with gfortran -fopenmp
! against libgomp.so.1 (fortran_program.sh runs it on libgomp and through
! hsomp-run): a parallel do reduction, recursive tasks with taskwait, final
! and detach/omp_fulfill_event, a host league of teams, target teams
! distribute parallel do (on the host), and a critical section.  It prints
! "runtime=<name> ok" and stops with status 1 on any wrong result.
module checks
  use iso_c_binding
  implicit none
  interface
    function dlsym(handle, name) bind(c, name="dlsym")
      import :: c_ptr, c_funptr, c_char
      type(c_ptr), value :: handle
      character(kind=c_char), dimension(*) :: name
      type(c_funptr) :: dlsym
    end function dlsym
  end interface
  integer :: failures = 0
contains
  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(*), intent(in) :: what
    if (.not. ok) then
      write (0, '(a,a)') 'check failed: ', what
      failures = failures + 1
    end if
  end subroutine check

  recursive integer function fib(n) result(r)
    integer, intent(in) :: n
    integer :: a, b
    if (n < 2) then
      r = n
      return
    end if
    !$omp task shared(a) firstprivate(n) final(n < 12)
    a = fib(n - 1)
    !$omp end task
    !$omp task shared(b) firstprivate(n) final(n < 12)
    b = fib(n - 2)
    !$omp end task
    !$omp taskwait
    r = a + b
  end function fib
end module checks

program fortran_program
  use omp_lib
  use checks
  implicit none
  integer, parameter :: n = 100000
  integer(8) :: total
  integer :: i, t, team_hits(0:7), league, finals, fulfilled, crit
  integer(kind=omp_event_handle_kind) :: ev
  real(8) :: x(1000), y(1000)
  character(16) :: runtime

  runtime = 'libgomp'
  if (c_associated(dlsym(c_null_ptr, 'hsomp_get_capability'//c_null_char))) runtime = 'hsomp'

  ! parallel do with a reduction, in teams of 1..4 threads.
  do t = 1, 4
    total = 0
    !$omp parallel do num_threads(t) reduction(+:total) schedule(dynamic, 97)
    do i = 1, n
      total = total + i
    end do
    !$omp end parallel do
    call check(total == int(n, 8) * (n + 1) / 2, 'parallel do reduction')
  end do

  ! Recursive tasks; final tasks report omp_in_final.
  i = 0
  finals = 0
  !$omp parallel num_threads(3) shared(i, finals)
  !$omp single
  i = fib(20)
  !$omp task final(.true.) shared(finals)
  if (omp_in_final()) finals = 1
  !$omp end task
  !$omp end single
  !$omp end parallel
  call check(i == 6765, 'fib(20) with tasks')
  call check(finals == 1, 'omp_in_final in a final task')

  ! A detached task completes when its event is fulfilled.
  fulfilled = 0
  !$omp parallel num_threads(2) shared(fulfilled, ev)
  !$omp single
  !$omp task detach(ev) shared(fulfilled)
  fulfilled = 1
  !$omp end task
  !$omp task shared(ev)
  call omp_fulfill_event(ev)
  !$omp end task
  !$omp taskwait
  !$omp end single
  !$omp end parallel
  call check(fulfilled == 1, 'detached task')

  ! A host league: every team runs once and knows its number.
  team_hits = 0
  league = 0
  !$omp teams num_teams(4) thread_limit(2) shared(team_hits, league)
  team_hits(omp_get_team_num()) = team_hits(omp_get_team_num()) + 1
  if (omp_get_team_num() == 0) league = omp_get_num_teams()
  !$omp end teams
  call check(league == 4, 'omp_get_num_teams in a league of 4')
  call check(all(team_hits(0:3) == 1) .and. all(team_hits(4:7) == 0), 'one run per team')

  ! target teams distribute parallel do, executed on the host.
  x = [(real(i, 8), i = 1, 1000)]
  y = 0
  !$omp target teams distribute parallel do map(to: x) map(tofrom: y)
  do i = 1, 1000
    y(i) = 2 * x(i) + 1
  end do
  !$omp end target teams distribute parallel do
  call check(all(y == 2 * x + 1), 'target teams distribute parallel do')
  call check(omp_get_num_devices() == 0 .or. runtime == 'libgomp', 'no offload devices')

  ! critical.
  crit = 0
  !$omp parallel num_threads(4) shared(crit)
  !$omp critical (counter)
  crit = crit + omp_get_num_threads()
  !$omp end critical (counter)
  !$omp end parallel
  call check(crit == 16, 'named critical')

  if (failures /= 0) stop 1
  print '(a,a,a)', 'runtime=', trim(runtime), ' ok'
end program fortran_program
